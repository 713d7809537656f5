import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  addAsset,
  addProduct,
  createDealWorld,
  driveTo,
  newApplication,
} from "../support/applications";
import { useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

const PUBLIC = ["/", "/products", "/report", "/report.json", "/report.csv"];

describe("public pages served by data version", () => {
  const t = useTestDb();
  const app = useAppServer();

  it("answers every public page with an ETag, and 304 to a matching If-None-Match", async () => {
    for (const path of PUBLIC) {
      const first = await app.fetch(path);
      expect(first.status, path).toBe(200);
      const etag = first.headers.get("etag");
      expect(etag, path).toMatch(/^W\/".+"$/);
      expect(first.headers.get("vary")).toContain("Accept-Encoding");
      await first.arrayBuffer();
      const again = await app.fetch(path, { headers: { "if-none-match": etag! } });
      expect(again.status, path).toBe(304);
      expect(again.headers.get("etag")).toBe(etag);
      // The browser would merge a new policy into the cached response and block its scripts.
      expect(again.headers.get("content-security-policy"), path).toBeNull();
      expect(await again.text()).toBe("");
    }
  });

  it("sends gzip when asked, the same body as uncompressed, and a CSP that allows its inline scripts", async () => {
    const plain = await app.fetch("/", { headers: { "accept-encoding": "identity" } });
    const html = await plain.text();
    const gz = await fetch(app.url("/"), { headers: { "accept-encoding": "gzip" } });
    // Node's fetch decodes transparently; the header shows what travelled.
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(await gz.text()).toBe(html);
    const raw = await import("node:http").then(
      (http) =>
        new Promise<Buffer>((resolve, reject) => {
          http
            .get(app.url("/"), { headers: { "accept-encoding": "gzip" } }, (res) => {
              const chunks: Buffer[] = [];
              res.on("data", (c: Buffer) => chunks.push(c));
              res.on("end", () => resolve(Buffer.concat(chunks)));
            })
            .on("error", reject);
        }),
    );
    expect(gunzipSync(raw).toString("utf8")).toBe(html);
    const csp = plain.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self' 'sha256-/);
    expect(csp).not.toContain("nonce-");
  });

  it("changes the ETag and the page when a product is added or the ledger moves", async () => {
    const w = await createDealWorld(t.db);
    const before = await app.fetch("/products");
    const etag = before.headers.get("etag")!;
    const beforeHtml = await before.text();
    const homeBefore = await app.fetch("/");
    const homeEtag = homeBefore.headers.get("etag")!;
    // The nonce attribute differs between renders; the figures are what must change.
    const figures = (html: string) => html.replace(/ nonce="[^"]*"/g, "");
    const homeBeforeHtml = figures(await homeBefore.text());

    const id = await addProduct(t.db, w.bankX.orgId, w.bankX.userId);
    const name = (await t.db
      .selectFrom("loan_products")
      .select("name")
      .where("id", "=", id)
      .executeTakeFirstOrThrow())!.name;
    expect(beforeHtml).not.toContain(name);
    const stale = await app.fetch("/products", { headers: { "if-none-match": etag } });
    expect(stale.status).toBe(200);
    expect(stale.headers.get("etag")).not.toBe(etag);
    expect(await stale.text()).toContain(name);

    // A disbursement moves the rollups: the home page's figures change with its ETag.
    const asset = await addAsset(t.db, w.firmA.orgId);
    const appId = await newApplication(t.db, w, { assetIds: [asset] });
    await driveTo(t.db, w, appId, "disbursed", { disburseFen: 9_876_500 });
    const home = await app.fetch("/", { headers: { "if-none-match": homeEtag } });
    expect(home.status).toBe(200);
    expect(home.headers.get("etag")).not.toBe(homeEtag);
    expect(figures(await home.text())).not.toBe(homeBeforeHtml);
  });

  it("leaves visitors with a session cookie, to the app", async () => {
    const res = await app.fetch("/", { headers: { cookie: "zr_session=not-a-session" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBeNull();
    expect(res.headers.get("content-security-policy")).toContain("nonce-");
    await res.arrayBuffer();
  });

  it("serves hashed assets as immutable and looks up public files only at their own URLs", async () => {
    const home = await (await app.fetch("/")).text();
    const asset = /\/build\/[^"]+\.js/.exec(home)?.[0];
    expect(asset).toBeTruthy();
    const js = await app.fetch(asset!);
    expect(js.status).toBe(200);
    expect(js.headers.get("cache-control")).toContain("immutable");
    await js.arrayBuffer();
    const icon = await app.fetch("/favicon.svg");
    expect(icon.status).toBe(200);
    await icon.arrayBuffer();
    const missing = await app.fetch("/build/nope-123.js");
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();
  });
});
