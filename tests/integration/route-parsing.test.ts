/**
 * The actions that moved to parseWithZod and discriminated-union intents: a bad post is a 400
 * with the same translated message on the page as before, a refusal from the model keeps its
 * status and message, and nothing is written.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createApplicationDraft, submitApplication } from "../../app/models/application.server";
import { stageImport } from "../../app/models/asset-import.server";
import { notifyOrganisation } from "../../app/models/notification.server";
import { createRequest } from "../../app/models/request.server";
import { IMPORT_COLUMNS, IMPORT_HEADERS } from "../../app/domain/asset-import";
import { toCsv } from "../../app/domain/csv";
import { todayInChina } from "../../app/utils/time";
import { requestAs, useActors, type Actor } from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { addAsset, addProduct, countRows } from "../support/applications";
import { useAppServer } from "../support/http";

describe(`form actions parse with zod (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let product = 0;
  let application = 0;
  let importId = 0;

  beforeAll(async () => {
    product = await addProduct(t.db, actors.bankX.orgId, actors.bankX.userId);
    const firmA = { userId: actors.firmA.userId, orgId: actors.firmA.orgId };
    const asset = await addAsset(t.db, firmA.orgId, { valueFen: 800_000_000 });
    application = (
      await createApplicationDraft(t.db, {
        firmOrgId: firmA.orgId,
        userId: firmA.userId,
        productId: product,
        requestId: null,
        amountFen: 10_000_000,
        termMonths: 12,
        rateBp: 400,
        assetIds: [asset],
      })
    ).applicationId;
    await submitApplication(t.db, firmA, { applicationId: application, version: 1 });
    const staged = await stageImport(
      t.db,
      firmA,
      {
        fileName: "p.csv",
        bytes: new TextEncoder().encode(
          toCsv([
            IMPORT_COLUMNS.map((c) => IMPORT_HEADERS[c][0]),
            IMPORT_COLUMNS.map(
              (c) =>
                ({
                  kind: "商标",
                  number: "97000001",
                  title: "解析",
                  status: "注册",
                  niceClass: "1",
                })[c as string] ?? "",
            ),
          ]),
        ),
      },
      todayInChina(),
    );
    if (!staged.ok) throw new Error("import fixture");
    importId = staged.importId;
  });

  const post = (actor: Actor, path: string, body: Record<string, string> | FormData) =>
    requestAs(app, actors, actor, path, {
      method: "POST",
      ...(body instanceof FormData
        ? { body }
        : {
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams(body).toString(),
          }),
    });

  const row = (table: "loan_products" | "applications" | "asset_imports", id: number) =>
    t.db.selectFrom(table).selectAll().where("id", "=", id).executeTakeFirstOrThrow();

  it("product page: an unknown intent is 400 with the form message; a stale version is 409 with the reload message", async () => {
    const before = await row("loan_products", product);
    const bogus = await post("bankX", `/bank/products/${product}`, {
      intent: "delete",
      version: "1",
    });
    expect(bogus.status).toBe(400);
    expect(await bogus.text()).toContain("请检查标红的字段。");
    const stale = await post("bankX", `/bank/products/${product}`, {
      intent: "pause",
      version: "99",
    });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain("该记录已被他人修改，请刷新页面后重试。");
    expect(await row("loan_products", product)).toEqual(before);
  });

  it("match page: an unknown intent is 400 with the message where the apply error shows", async () => {
    const id = await createRequest(t.db, {
      firmOrgId: actors.firmA.orgId,
      userId: actors.firmA.userId,
      input: {
        amountFen: 100_000_000,
        termMonths: 12,
        maxRateBp: 450,
        purpose: "测试",
        assetIds: [await addAsset(t.db, actors.firmA.orgId)],
      },
    });
    const res = await post("firmA", `/firm/requests/${id}`, { intent: "withdraw" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toMatch(/data-testid="apply-error"[^>]*>请检查标红的字段。/);
  });

  it("bank's application page: each form's fields are checked by its intent; an unknown intent changes nothing", async () => {
    const before = await row("applications", application);
    const auditBefore = await countRows(t.db, "audit_log");
    const approve = await post("bankX", `/bank/applications/${application}`, {
      intent: "approve",
      version: "1",
    });
    expect(approve.status).toBe(400);
    expect(await approve.text()).toContain("必填");
    const unknown = await post("bankX", `/bank/applications/${application}`, {
      intent: "launder",
      version: "2",
    });
    expect(unknown.status).toBe(400);
    await unknown.body?.cancel();
    const comment = await post("bankX", `/bank/applications/${application}`, {
      intent: "comment",
      body: "",
    });
    expect(comment.status).toBe(400);
    expect(await comment.text()).toContain("请输入留言内容");
    expect(await row("applications", application)).toEqual(before);
    expect(await countRows(t.db, "audit_log")).toBe(auditBefore);
    // A valid step still goes through.
    const review = await post("bankX", `/bank/applications/${application}`, {
      intent: "start_review",
      version: String(before.version),
    });
    expect(review.status).toBe(302);
    expect((await row("applications", application)).state).toBe("under_review");
  });

  it("firm's application page: submit needs its version; an unknown intent is 400", async () => {
    const before = await row("applications", application);
    const bodies: Record<string, string>[] = [
      { intent: "submit" },
      { intent: "approve", version: "1" },
    ];
    for (const body of bodies) {
      const res = await post("firmA", `/firm/applications/${application}`, body);
      expect(res.status).toBe(400);
      await res.body?.cancel();
    }
    expect(await row("applications", application)).toEqual(before);
  });

  it("CSV upload: no file and a file over 8 MB are 400 with their messages; nothing is staged", async () => {
    const before = await t.db.selectFrom("asset_imports").select("id").execute();
    const none = await post("firmA", "/firm/assets/import", new FormData());
    expect(none.status).toBe(400);
    expect(await none.text()).toContain("请选择一个 CSV 文件。");
    const big = new FormData();
    big.append("file", new Blob([new Uint8Array(8 * 1024 * 1024 + 1)]), "big.csv");
    const tooLarge = await post("firmA", "/firm/assets/import", big);
    expect(tooLarge.status).toBe(400);
    expect(await tooLarge.text()).toContain("文件超过 8 MB，请拆分后分批导入。");
    expect(await t.db.selectFrom("asset_imports").select("id").execute()).toEqual(before);
  });

  it("import preview: an unknown intent is 400 with the reload message; the import stays staged", async () => {
    const before = await row("asset_imports", importId);
    const res = await post("firmA", `/firm/assets/import/${importId}`, { intent: "publish" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("该记录已被他人修改，请刷新页面后重试。");
    expect(await row("asset_imports", importId)).toEqual(before);
  });

  it("notifications: markRead needs a numeric id; markAll marks the user's own", async () => {
    await notifyOrganisation(t.db, actors.bankY.orgId, {
      kind: "submitted",
      params: { id: 1 },
      link: null,
    });
    const bad = await post("bankY", "/notifications", { intent: "markRead", id: "abc" });
    expect(bad.status).toBe(400);
    await bad.body?.cancel();
    const unread = () =>
      t.db
        .selectFrom("notifications")
        .select("id")
        .where("user_id", "=", actors.bankY.userId)
        .where("read_at", "is", null)
        .execute();
    expect((await unread()).length).toBeGreaterThan(0);
    const all = await post("bankY", "/notifications", { intent: "markAll" });
    expect(all.status).toBe(200);
    await all.body?.cancel();
    expect(await unread()).toEqual([]);
  });

  it("language switch: a known locale sets the cookie and goes back; anything else only goes back", async () => {
    const ok = await post("anonymous", "/set-language", { locale: "en", redirectTo: "/products" });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toBe("/products");
    expect(ok.headers.get("set-cookie") ?? "").toMatch(/^zr_lng=en;/);
    const bad = await post("anonymous", "/set-language", { locale: "xx", redirectTo: "/report" });
    expect(bad.status).toBe(302);
    expect(bad.headers.get("location")).toBe("/report");
    expect(bad.headers.get("set-cookie")).toBeNull();
    const away = await post("anonymous", "/set-language", {
      locale: "en",
      redirectTo: "//evil.test/",
    });
    expect(away.headers.get("location")).toBe("/");
  });
});
