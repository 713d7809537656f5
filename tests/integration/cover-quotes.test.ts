/**
 * Guarantee insurance and guarantees over HTTP (SQLite and MariaDB, TEST_DB): an insurer and a
 * guarantor quote their rates for a product, the bank sees them on its approved application and
 * binds one, the premium on the approved amount recorded; bad rates and a second bind refused.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ACTOR_PASSWORD, loginCookie, requestAs, useActors } from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import {
  addAsset,
  addProduct,
  driveTo,
  newApplication,
  type DealWorld,
} from "../support/applications";
import { useAppServer } from "../support/http";
import { hashPassword } from "../../app/utils/password.server";
import { nowInstant } from "../../app/utils/time";

describe(`insurance and guarantee quotes over HTTP (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let w: DealWorld;
  let insurer = "";
  let guarantor = "";

  async function member(kind: "insurer" | "guarantor", name: string): Promise<string> {
    const o = await t.db
      .insertInto("organisations")
      .values({
        kind: "alliance",
        alliance_kind: kind,
        name,
        uscc: null,
        region_code: null,
        industry_section: null,
        created_at: nowInstant(),
      })
      .executeTakeFirstOrThrow();
    const email = `${kind}-${Number(o.insertId)}@cover.test`;
    await t.db
      .insertInto("users")
      .values({
        org_id: Number(o.insertId),
        email,
        password_hash: await hashPassword(ACTOR_PASSWORD),
        role: "alliance",
        display_name: name,
        created_at: nowInstant(),
      })
      .executeTakeFirstOrThrow();
    return loginCookie(app, email);
  }

  const postAs = (cookie: string, path: string, values: Record<string, string>) =>
    app.fetch(path, {
      method: "POST",
      headers: {
        cookie,
        origin: app.baseURL,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(values).toString(),
    });

  beforeAll(async () => {
    const party = (a: { userId: number; orgId: number }) => ({ userId: a.userId, orgId: a.orgId });
    w = {
      firmA: party(actors.firmA),
      firmB: party(actors.firmB),
      bankX: party(actors.bankX),
      bankX2: party(actors.bankX),
      bankY: party(actors.bankY),
      admin: party(actors.admin),
      productX: await addProduct(t.db, actors.bankX.orgId, actors.bankX.userId),
      productY: await addProduct(t.db, actors.bankY.orgId, actors.bankY.userId),
    };
    insurer = await member("insurer", "测试财产保险");
    guarantor = await member("guarantor", "测试融资担保");
  });

  it("quotes a rate per product, refusing a bad one and anyone but an insurer or guarantor", async () => {
    for (const rate of ["0", "-1", "10.01", "abc"]) {
      const res = await postAs(insurer, "/alliance/quotes", {
        productId: String(w.productX),
        rate,
      });
      expect(res.status, rate).toBe(400);
    }
    const quotes = () =>
      t.db
        .selectFrom("risk_product_quotes")
        .selectAll()
        .where("product_id", "=", w.productX)
        .execute();
    expect(await quotes()).toHaveLength(0);
    // A government member and a bank may not quote.
    const gov = await requestAs(app, actors, "alliance", "/alliance/quotes", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ productId: String(w.productX), rate: "1" }).toString(),
    });
    expect(gov.status).toBe(403);
    // Its menu has the page: it explains instead of refusing.
    const govPage = await requestAs(app, actors, "alliance", "/alliance/quotes");
    expect(govPage.status).toBe(200);
    expect(await govPage.text()).toContain('data-testid="quotes-not-party"');
    expect((await requestAs(app, actors, "bankX", "/alliance/quotes")).status).toBe(403);

    expect(
      (await postAs(insurer, "/alliance/quotes", { productId: String(w.productX), rate: "1.5" }))
        .status,
    ).toBe(302);
    // Quoting again changes the rate: one live quote per product and party.
    expect(
      (await postAs(insurer, "/alliance/quotes", { productId: String(w.productX), rate: "1.2" }))
        .status,
    ).toBe(302);
    expect(
      (await postAs(guarantor, "/alliance/quotes", { productId: String(w.productX), rate: "2" }))
        .status,
    ).toBe(302);
    const rows = await quotes();
    expect(rows.map((q) => [q.kind, q.rate_bp]).sort()).toEqual([
      ["guarantee", 200],
      ["insurance", 120],
    ]);
    const page = await (
      await app.fetch("/alliance/quotes", { headers: { cookie: insurer } })
    ).text();
    expect(page).toContain("当前报价 1.20%");
  });

  it("lets the bank bind one quote at approval, recording the premium on the approved amount", async () => {
    const id = await newApplication(t.db, w, {
      assetIds: [await addAsset(t.db, w.firmA.orgId, { valueFen: 1_000_000_000 })],
      amountFen: 30_000_000,
    });
    await driveTo(t.db, w, id, "under_review");
    // Before approval: the quotes are shown, nothing can be bound.
    const early = await (
      await requestAs(app, actors, "bankX", `/bank/applications/${id}/cover`)
    ).text();
    expect(early).toContain("测试财产保险");
    // The product's own page lists the parties quoting on it, to its bank only.
    const productPage = await (
      await requestAs(app, actors, "bankX", `/bank/products/${w.productX}`)
    ).text();
    expect(productPage).toMatch(/data-testid="product-quotes"[\s\S]*测试财产保险/);
    expect((await requestAs(app, actors, "bankY", `/bank/products/${w.productX}`)).status).toBe(
      404,
    );
    const [insurance] = await t.db
      .selectFrom("risk_product_quotes")
      .select("id")
      .where("product_id", "=", w.productX)
      .where("kind", "=", "insurance")
      .execute();
    const bind = (cookieActor: "bankX" | "bankY", quoteId: number, confirm = true) =>
      requestAs(app, actors, cookieActor, `/bank/applications/${id}/cover`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          quoteId: String(quoteId),
          ...(confirm ? { confirm: "on" } : {}),
        }).toString(),
      });
    expect((await bind("bankX", insurance.id)).status).toBe(409);
    await driveTo(t.db, w, id, "approved");
    expect((await bind("bankY", insurance.id)).status).toBe(404);
    expect((await bind("bankX", insurance.id, false)).status).toBe(400);
    const ok = await bind("bankX", insurance.id);
    expect(ok.status).toBe(302);
    const again = await bind("bankX", insurance.id);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("已绑定同类保险或担保");
    const policies = await t.db
      .selectFrom("risk_policies")
      .selectAll()
      .where("application_id", "=", id)
      .execute();
    // 30万 approved at 1.20% → 3,600 元.
    expect(
      policies.map((p) => [p.kind, p.rate_bp, Number(p.insured_fen), Number(p.premium_fen)]),
    ).toEqual([["insurance", 120, 30_000_000, 360_000]]);
    const page = await (
      await requestAs(app, actors, "bankX", `/bank/applications/${id}/cover`)
    ).text();
    expect(page).toContain("3,600.00 元");
    const audit = await t.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "=", "risk_policy.bind")
      .where("entity_id", "=", String(id))
      .execute();
    expect(audit).toHaveLength(1);
  });
});
