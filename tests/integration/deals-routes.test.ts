/**
 * The deal pages over HTTP on the built server: the authorization matrix for every new route, and
 * the forms' behaviour (refusals write nothing; the live stream pushes the new total).
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  approveApplication,
  createApplicationDraft,
  getApplicationRow,
  registerPledge,
  startReview,
  submitApplication,
} from "../../app/models/application.server";
import { getProgressSummary } from "../../app/models/progress.server";
import { todayInChina } from "../../app/utils/time";
import { expectOutcome, matrix, requestAs, useActors, type Actor } from "../support/authz";
import { useTestDb } from "../support/db";
import { addAsset, addProduct, countRows } from "../support/applications";
import { useAppServer } from "../support/http";

const today = todayInChina();

function form(body: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(body).toString(),
  };
}

describe("deal routes", () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let productX = 0;
  let productY = 0;
  /** firm A's application to bank X, submitted. */
  let appA = 0;
  /** firm A's draft (invisible to the bank). */
  let draftA = 0;
  let assetA = 0;

  async function draft(assetIds: number[], amountFen = 10_000_000, productId = productX) {
    const { applicationId } = await createApplicationDraft(t.db, {
      firmOrgId: actors.firmA.orgId,
      userId: actors.firmA.userId,
      productId,
      requestId: null,
      amountFen,
      termMonths: 12,
      rateBp: 385,
      assetIds,
    });
    return applicationId;
  }

  const firmA = () => ({ userId: actors.firmA.userId, orgId: actors.firmA.orgId });
  const bankX = () => ({ userId: actors.bankX.userId, orgId: actors.bankX.orgId });

  beforeAll(async () => {
    productX = await addProduct(t.db, actors.bankX.orgId, actors.bankX.userId);
    productY = await addProduct(t.db, actors.bankY.orgId, actors.bankY.userId);
    assetA = await addAsset(t.db, actors.firmA.orgId, { valueFen: 200_000_000 });
    appA = await draft([assetA]);
    await submitApplication(t.db, firmA(), { applicationId: appA, version: 1 });
    draftA = await draft([await addAsset(t.db, actors.firmA.orgId)]);
  });

  describe("authorization matrix", () => {
    const firmOnly = {
      anonymous: "login",
      firmA: 200,
      firmB: 200,
      bankX: 403,
      bankY: 403,
      valuer: 403,
      alliance: 403,
      admin: 403,
    } as const;
    const bankOnly = { ...firmOnly, firmA: 403, firmB: 403, bankX: 200, bankY: 200 } as const;
    const adminOnly = { ...firmOnly, firmA: 403, firmB: 403, admin: 200 } as const;
    const routes: [string, () => string, Record<Actor, number | "login">][] = [
      ["/firm/applications", () => "/firm/applications", firmOnly],
      [
        "/firm/applications/new?productId=X",
        () => `/firm/applications/new?productId=${productX}`,
        firmOnly,
      ],
      [
        "/firm/applications/new?productId=<unknown>",
        () => "/firm/applications/new?productId=999999",
        { ...firmOnly, firmA: 404, firmB: 404 },
      ],
      [
        "/firm/applications/<firm A's>",
        () => `/firm/applications/${appA}`,
        { ...firmOnly, firmB: 404 },
      ],
      [
        "/firm/applications/<unknown>",
        () => "/firm/applications/999999",
        { ...firmOnly, firmA: 404, firmB: 404 },
      ],
      ["/bank/applications", () => "/bank/applications", bankOnly],
      [
        "/bank/applications/<to bank X's product>",
        () => `/bank/applications/${appA}`,
        { ...bankOnly, bankY: 404 },
      ],
      [
        "/bank/applications/<a draft>",
        () => `/bank/applications/${draftA}`,
        { ...bankOnly, bankX: 404, bankY: 404 },
      ],
      [
        "/ledger",
        () => "/ledger",
        { ...firmOnly, bankX: 200, bankY: 200, alliance: 200, admin: 200 },
      ],
      ["/admin/ledger", () => "/admin/ledger", adminOnly],
      ["/admin/settings/target", () => "/admin/settings/target", adminOnly],
      [
        "/notifications",
        () => "/notifications",
        {
          anonymous: "login",
          firmA: 200,
          firmB: 200,
          bankX: 200,
          bankY: 200,
          valuer: 200,
          alliance: 200,
          admin: 200,
        },
      ],
      [
        "/events/progress",
        () => "/events/progress",
        {
          anonymous: 200,
          firmA: 200,
          firmB: 200,
          bankX: 200,
          bankY: 200,
          valuer: 200,
          alliance: 200,
          admin: 200,
        },
      ],
    ];
    for (const [name, path, expected] of routes) {
      it.each(matrix(expected))(`GET ${name} as %s → %s`, async (actor, outcome) => {
        await expectOutcome(app, actors, actor, path(), outcome);
      });
    }

    it.each(
      matrix({
        anonymous: "login",
        firmA: 403,
        firmB: 403,
        bankX: 302,
        bankY: 404,
        valuer: 403,
        alliance: 403,
        admin: 403,
      }),
    )("POST start_review on firm A's application as %s → %s", async (actor, outcome) => {
      const id = await draft([await addAsset(t.db, actors.firmA.orgId)]);
      await submitApplication(t.db, firmA(), { applicationId: id, version: 1 });
      await expectOutcome(
        app,
        actors,
        actor,
        `/bank/applications/${id}`,
        outcome,
        form({ intent: "start_review", version: "2" }),
      );
      expect((await getApplicationRow(t.db, id))!.state).toBe(
        outcome === 302 ? "under_review" : "submitted",
      );
    });

    it.each(
      matrix({
        anonymous: "login",
        firmA: 302,
        firmB: 404,
        bankX: 403,
        bankY: 403,
        valuer: 403,
        alliance: 403,
        admin: 403,
      }),
    )("POST submit of firm A's draft as %s → %s", async (actor, outcome) => {
      const id = await draft([await addAsset(t.db, actors.firmA.orgId)]);
      await expectOutcome(
        app,
        actors,
        actor,
        `/firm/applications/${id}`,
        outcome,
        form({ intent: "submit", version: "1" }),
      );
      expect((await getApplicationRow(t.db, id))!.state).toBe(
        outcome === 302 ? "submitted" : "draft",
      );
    });

    it.each(
      matrix({
        anonymous: "login",
        firmA: 403,
        firmB: 403,
        bankX: 403,
        bankY: 403,
        valuer: 403,
        alliance: 403,
        admin: 400,
      }),
    )("POST /admin/ledger (a reversal without its confirmation) as %s → %s", async (actor, o) => {
      const before = await countRows(t.db, "ledger_entries");
      await expectOutcome(
        app,
        actors,
        actor,
        "/admin/ledger",
        o,
        form({ entryId: "1", reason: "x" }),
      );
      expect(await countRows(t.db, "ledger_entries")).toBe(before);
    });

    it.each(
      matrix({
        anonymous: "login",
        firmA: 403,
        firmB: 403,
        bankX: 403,
        bankY: 403,
        valuer: 403,
        alliance: 403,
        admin: 400,
      }),
    )("POST /admin/settings/target (deadlines out of order) as %s → %s", async (actor, o) => {
      await expectOutcome(
        app,
        actors,
        actor,
        "/admin/settings/target",
        o,
        form({
          "phases[0].name": "2025",
          "phases[0].amount": "100亿",
          "phases[0].deadline": "2025-12-31",
          "phases[1].name": "二期",
          "phases[1].amount": "300亿",
          "phases[1].deadline": "2025-06-30",
        }),
      );
    });
  });

  describe("the forms", () => {
    it("a firm applies from the catalogue: a draft, then its page; a bad amount writes nothing", async () => {
      const asset = await addAsset(t.db, actors.firmA.orgId, { valueFen: 100_000_000 });
      const page = await requestAs(
        app,
        actors,
        "firmA",
        `/firm/applications/new?productId=${productX}`,
      );
      const html = await page.text();
      expect(html).toContain('data-testid="apply-form"');
      const before = (await t.db.selectFrom("applications").select("id").execute()).length;
      const bad = await requestAs(
        app,
        actors,
        "firmA",
        `/firm/applications/new?productId=${productX}`,
        form({
          intent: "create",
          amount: "abc",
          termMonths: "12",
          rate: "3.85",
          assetIds: String(asset),
        }),
      );
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain("请输入有效金额");
      expect((await t.db.selectFrom("applications").select("id").execute()).length).toBe(before);
      const ok = await requestAs(
        app,
        actors,
        "firmA",
        `/firm/applications/new?productId=${productX}`,
        form({
          intent: "create",
          amount: "20万",
          termMonths: "12",
          rate: "3.85",
          assetIds: String(asset),
        }),
      );
      expect(ok.status).toBe(302);
      const id = Number(/\/firm\/applications\/(\d+)$/.exec(ok.headers.get("location") ?? "")?.[1]);
      expect(await getApplicationRow(t.db, id)).toMatchObject({
        state: "draft",
        amount_fen: 20_000_000,
        rate_bp: 385,
      });
    });

    it("an approval above the capacity is refused with the numbers, next to the amount", async () => {
      const id = await draft([assetA], 60_000_000);
      await submitApplication(t.db, firmA(), { applicationId: id, version: 1 });
      await startReview(t.db, bankX(), { applicationId: id, version: 2 });
      const res = await requestAs(
        app,
        actors,
        "bankX",
        `/bank/applications/${id}`,
        form({
          intent: "approve",
          version: "3",
          amount: "600000",
          rate: "3.85",
          termMonths: "12",
          confirm: "on",
        }),
      );
      expect(res.status).toBe(400);
      // 25% of 200万元 = 50万元
      expect(await res.text()).toContain("超过质押物可贷额度 500,000 元");
      expect((await getApplicationRow(t.db, id))!.state).toBe("under_review");
      // Without the confirmation box nothing happens either.
      const unconfirmed = await requestAs(
        app,
        actors,
        "bankX",
        `/bank/applications/${id}`,
        form({ intent: "approve", version: "3", amount: "500000", rate: "3.85", termMonths: "12" }),
      );
      expect(unconfirmed.status).toBe(400);
      expect((await getApplicationRow(t.db, id))!.state).toBe("under_review");
    });

    it("disbursing through the page pushes the new total on the live stream, uncompressed", async () => {
      const asset = await addAsset(t.db, actors.firmA.orgId, { valueFen: 100_000_000 });
      const id = await draft([asset], 12_345_600);
      await submitApplication(t.db, firmA(), { applicationId: id, version: 1 });
      await startReview(t.db, bankX(), { applicationId: id, version: 2 });
      await approveApplication(t.db, bankX(), {
        applicationId: id,
        version: 3,
        amountFen: 12_345_600,
        rateBp: 385,
        termMonths: 12,
      });
      await registerPledge(t.db, bankX(), {
        applicationId: id,
        version: 4,
        regNumber: "Y20260001",
        regDate: today,
      });
      const before = (await getProgressSummary(t.db)).financedFen;

      const controller = new AbortController();
      const stream = await app.fetch("/events/progress", {
        headers: { "accept-encoding": "gzip, deflate, br" },
        signal: controller.signal,
      });
      expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
      expect(stream.headers.get("content-encoding")).toBeNull();
      const reader = stream.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      const nextProgress = async (): Promise<{ financedFen: number; version: number }> => {
        for (;;) {
          const end = buffer.indexOf("\n\n");
          if (end >= 0) {
            const message = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^data: (.*)$/m.exec(message);
            if (message.includes("event: progress") && data) return JSON.parse(data[1]);
            continue;
          }
          const { value, done } = await reader.read();
          if (done) throw new Error("stream ended");
          buffer += decoder.decode(value, { stream: true });
        }
      };
      const first = await nextProgress();
      expect(first.financedFen).toBe(before);

      const res = await requestAs(
        app,
        actors,
        "bankX",
        `/bank/applications/${id}`,
        form({
          intent: "disburse",
          version: "5",
          amount: "123456",
          valueDate: today,
          confirm: "on",
        }),
      );
      expect(res.status).toBe(302);
      const pushed = await nextProgress();
      expect(pushed.financedFen - before).toBe(12_345_600);
      expect(pushed.version).toBe(first.version + 1);
      controller.abort();

      // The ledger page shows that entry to the bank and to the alliance, not to another bank.
      const month = today.slice(0, 7);
      const own = await (await requestAs(app, actors, "bankX", `/ledger?month=${month}`)).text();
      expect(own).toMatch(/data-count="1" data-sum-fen="12345600"/);
      const all = await (await requestAs(app, actors, "alliance", `/ledger?month=${month}`)).text();
      expect(all).toMatch(/data-count="1" data-sum-fen="12345600"/);
      const other = await (await requestAs(app, actors, "bankY", `/ledger?month=${month}`)).text();
      expect(other).toMatch(/data-count="0" data-sum-fen="0"/);
      const firmB = await (await requestAs(app, actors, "firmB", "/ledger")).text();
      expect(firmB).toMatch(/data-count="0"/);
    });

    it("the admin reverses that entry after confirming, with a reason", async () => {
      const entry = await t.db
        .selectFrom("ledger_entries")
        .select(["id", "amount_fen"])
        .where("entry_type", "=", "disbursement")
        .executeTakeFirstOrThrow();
      const before = (await getProgressSummary(t.db)).financedFen;
      const res = await requestAs(
        app,
        actors,
        "admin",
        "/admin/ledger",
        form({ entryId: String(entry.id), reason: "银行录入重复", confirm: "on" }),
      );
      expect(res.status).toBe(302);
      expect((await getProgressSummary(t.db)).financedFen).toBe(before - Number(entry.amount_fen));
      const again = await requestAs(
        app,
        actors,
        "admin",
        "/admin/ledger",
        form({ entryId: String(entry.id), reason: "再次冲销", confirm: "on" }),
      );
      expect(again.status).toBe(409);
      expect(await again.text()).toContain("该记录已冲销过");
    });

    it("the admin adds a second target phase; the home page then shows it", async () => {
      const res = await requestAs(
        app,
        actors,
        "admin",
        "/admin/settings/target",
        form({
          expectedUpdatedAt: "",
          "phases[0].name": "2025",
          "phases[0].amount": "100亿",
          "phases[0].deadline": "2025-12-31",
          "phases[1].name": "二期",
          "phases[1].amount": "300亿",
          "phases[1].deadline": "2035-12-31",
          "phases[2].name": "",
          "phases[2].amount": "",
          "phases[2].deadline": "",
        }),
      );
      expect(res.status).toBe(302);
      const audit = await t.db
        .selectFrom("audit_log")
        .select("action")
        .where("action", "=", "settings.target_phases")
        .execute();
      expect(audit).toHaveLength(1);
      const home = await (await app.fetch("/", { headers: { "accept-language": "zh-CN" } })).text();
      expect(home).toContain("目标阶段：二期");
      // A stale form (the setting changed since it was read) is a conflict.
      const stale = await requestAs(
        app,
        actors,
        "admin",
        "/admin/settings/target",
        form({
          expectedUpdatedAt: "",
          "phases[0].name": "2025",
          "phases[0].amount": "100亿",
          "phases[0].deadline": "2025-12-31",
        }),
      );
      expect(stale.status).toBe(409);
    });

    it("notifications show as an unread count and can be marked read", async () => {
      const page = await (await requestAs(app, actors, "bankX", "/notifications")).text();
      const unread = Number(/data-testid="unread-badge"[^>]*>(\d+)</.exec(page)?.[1] ?? 0);
      expect(unread).toBeGreaterThan(0);
      const res = await requestAs(
        app,
        actors,
        "bankX",
        "/notifications",
        form({ intent: "markAll" }),
      );
      expect(res.status).toBe(200);
      const after = await (await requestAs(app, actors, "bankX", "/notifications")).text();
      expect(after).not.toContain('data-testid="unread-badge"');
      // Marking someone else's notification changes nothing.
      const mine = await t.db
        .selectFrom("notifications")
        .select("id")
        .where("user_id", "=", actors.firmA.userId)
        .where("read_at", "is", null)
        .execute();
      await requestAs(
        app,
        actors,
        "bankY",
        "/notifications",
        form({ intent: "markRead", id: String(mine[0].id) }),
      );
      const still = await t.db
        .selectFrom("notifications")
        .select("read_at")
        .where("id", "=", mine[0].id)
        .executeTakeFirstOrThrow();
      expect(still.read_at).toBeNull();
    });

    it("a bank acts only on applications to its own products", async () => {
      const id = await draft([await addAsset(t.db, actors.firmA.orgId)], 10_000_000, productY);
      await submitApplication(t.db, firmA(), { applicationId: id, version: 1 });
      const res = await requestAs(
        app,
        actors,
        "bankX",
        `/bank/applications/${id}`,
        form({ intent: "start_review", version: "2" }),
      );
      expect(res.status).toBe(404);
      expect((await getApplicationRow(t.db, id))!.state).toBe("submitted");
    });
  });
});
