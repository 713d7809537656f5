/**
 * The loan pages over HTTP (docs/domain.md#servicing): who sees which loan, and the bank's
 * postings — a repayment recorded once however often its form is posted, refusals that write
 * nothing, a reversal, and settlement closing the loan and the application.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createApplicationDraft, getApplicationRow } from "../../app/models/application.server";
import { getLoanAccount } from "../../app/models/servicing/loan.server";
import { todayInChina } from "../../app/utils/time";
import { expectOutcome, matrix, requestAs, useActors, type Actor } from "../support/authz";
import { useTestDb } from "../support/db";
import { addAsset, addProduct, driveTo, type DealWorld } from "../support/applications";
import { useAppServer } from "../support/http";

const today = todayInChina();
const PRINCIPAL = 50_000_000;

function form(body: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(body).toString(),
    redirect: "manual",
  };
}

describe("loan pages", () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let loanId = 0;

  const entries = async () =>
    (
      await t.db
        .selectFrom("repayment_entries")
        .selectAll()
        .where("application_id", "=", loanId)
        .orderBy("id")
        .execute()
    ).map((e) => ({ ...e, principal_fen: Number(e.principal_fen) }));
  const outstanding = async () =>
    Number((await getLoanAccount(t.db, loanId))!.outstanding_principal_fen);

  beforeAll(async () => {
    const productX = await addProduct(t.db, actors.bankX.orgId, actors.bankX.userId);
    const asset = await addAsset(t.db, actors.firmA.orgId, { valueFen: 200_000_000 });
    const { applicationId } = await createApplicationDraft(t.db, {
      firmOrgId: actors.firmA.orgId,
      userId: actors.firmA.userId,
      productId: productX,
      requestId: null,
      amountFen: PRINCIPAL,
      termMonths: 12,
      rateBp: 385,
      assetIds: [asset],
    });
    const party = (a: "firmA" | "bankX") => ({
      userId: actors[a].userId,
      orgId: actors[a].orgId,
    });
    // driveTo needs only the firm and the bank that move this application.
    const w = { firmA: party("firmA"), bankX: party("bankX") } as unknown as DealWorld;
    await driveTo(t.db, w, applicationId, "disbursed", { valueDate: today });
    loanId = applicationId;
  });

  it("lets each side see only its own loans", async () => {
    const lists: Record<Actor, number | "login"> = {
      anonymous: "login",
      firmA: 403,
      firmB: 403,
      bankX: 200,
      bankY: 200,
      valuer: 403,
      alliance: 403,
      admin: 403,
    };
    const check = async (path: string, expected: Record<Actor, number | "login">) => {
      for (const [actor, outcome] of matrix(expected)) {
        await expectOutcome(app, actors, actor, path, outcome);
      }
    };
    await check("/bank/loans", lists);
    await check("/firm/loans", {
      ...lists,
      firmA: 200,
      firmB: 200,
      bankX: 403,
      bankY: 403,
    });
    await check(`/bank/loans/${loanId}`, { ...lists, bankY: 404 });
    await check(`/firm/loans/${loanId}`, {
      ...lists,
      firmA: 200,
      firmB: 404,
      bankX: 403,
      bankY: 403,
    });
    const bankList = await (await requestAs(app, actors, "bankX", "/bank/loans")).text();
    expect(bankList).toContain(`/bank/loans/${loanId}`);
    const otherBank = await (await requestAs(app, actors, "bankY", "/bank/loans")).text();
    expect(otherBank).not.toContain(`/bank/loans/${loanId}`);
    const firmPage = await (await requestAs(app, actors, "firmA", `/firm/loans/${loanId}`)).text();
    expect(firmPage).toContain('data-testid="schedule"');
    // Twelve monthly instalments, none paid yet.
    expect(firmPage.match(/data-state="upcoming"/g)?.length).toBe(12);
    expect(firmPage).not.toContain('data-testid="repay"');
  });

  it("records a repayment once, however often the same form is posted", async () => {
    const body = { intent: "repay", key: "k-repay-0001", amount: "1,000.00", valueDate: today };
    const first = await requestAs(app, actors, "bankX", `/bank/loans/${loanId}`, form(body));
    expect(first.status).toBe(302);
    const again = await requestAs(app, actors, "bankX", `/bank/loans/${loanId}`, form(body));
    expect(again.status).toBe(302);
    const rows = await entries();
    expect(rows).toHaveLength(1);
    // Repaid on the day of disbursement: no interest has accrued, all of it is principal.
    expect(rows[0]).toMatchObject({ entry_type: "repayment", principal_fen: 100_000 });
    expect(await outstanding()).toBe(PRINCIPAL - 100_000);
    const audit = await t.db
      .selectFrom("audit_log")
      .select("action")
      .where("entity_type", "=", "application")
      .where("entity_id", "=", String(loanId))
      .where("action", "=", "loan.repayment")
      .execute();
    expect(audit).toHaveLength(1);
  });

  it("refuses bad postings with a message and writes nothing", async () => {
    const before = await entries();
    const cases: [Record<string, string>, string][] = [
      [{ intent: "repay", key: "k-bad-00001", amount: "-5", valueDate: today }, "金额"],
      [{ intent: "repay", key: "k-bad-00002", amount: "100", valueDate: "2999-01-01" }, "晚于今天"],
      [
        { intent: "repay", key: "k-bad-00003", amount: "100", valueDate: "2000-01-01" },
        "早于放款日",
      ],
      [{ intent: "repay", key: "k-bad-00004", amount: "99999999", valueDate: today }, "超过"],
      [{ intent: "classify", riskClass: "normal", reason: "没有理由更宽松" }, "更严格"],
      [{ intent: "default", reason: "逾期严重" }, "确认"],
      [{ intent: "bogus" }, ""],
    ];
    for (const [body, text] of cases) {
      const res = await requestAs(app, actors, "bankX", `/bank/loans/${loanId}`, form(body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      if (text) expect(await res.text(), JSON.stringify(body)).toContain(text);
    }
    expect(await entries()).toEqual(before);
    // Another bank's officer cannot post against this loan at all.
    const foreign = await requestAs(
      app,
      actors,
      "bankY",
      `/bank/loans/${loanId}`,
      form({ intent: "repay", key: "k-foreign-01", amount: "100", valueDate: today }),
    );
    expect(foreign.status).toBe(404);
    expect(await entries()).toEqual(before);
  });

  it("reverses the latest repayment with a reason, as a new entry", async () => {
    const [posted] = await entries();
    const res = await requestAs(
      app,
      actors,
      "bankX",
      `/bank/loans/${loanId}`,
      form({ intent: "reverse", entryId: String(posted.id), reason: "金额录错", confirm: "on" }),
    );
    expect(res.status).toBe(302);
    const rows = await entries();
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      entry_type: "reversal",
      reverses_entry_id: posted.id,
      principal_fen: -100_000,
    });
    expect(await outstanding()).toBe(PRINCIPAL);
  });

  it("settles the loan: the settlement amount closes it and the application is repaid", async () => {
    const res = await requestAs(
      app,
      actors,
      "bankX",
      `/bank/loans/${loanId}`,
      form({ intent: "settle", key: "k-settle-001", valueDate: today, confirm: "on" }),
    );
    expect(res.status).toBe(302);
    expect(await outstanding()).toBe(0);
    expect((await getLoanAccount(t.db, loanId))!.status).toBe("closed");
    expect((await getApplicationRow(t.db, loanId))!.state).toBe("repaid");
    const page = await (await requestAs(app, actors, "bankX", `/bank/loans/${loanId}`)).text();
    expect(page).not.toContain('data-testid="repay"');
    expect(page).toContain("已结清");
    const closed = await (await requestAs(app, actors, "bankX", "/bank/loans?tab=closed")).text();
    expect(closed).toContain(`/bank/loans/${loanId}`);
  });

  it("a default keeps the pledge; the bank releases it with a reason and a confirmation box", async () => {
    const productX = await addProduct(t.db, actors.bankX.orgId, actors.bankX.userId);
    const asset = await addAsset(t.db, actors.firmA.orgId, { valueFen: 200_000_000 });
    const { applicationId: id } = await createApplicationDraft(t.db, {
      firmOrgId: actors.firmA.orgId,
      userId: actors.firmA.userId,
      productId: productX,
      requestId: null,
      amountFen: PRINCIPAL,
      termMonths: 12,
      rateBp: 385,
      assetIds: [asset],
    });
    const party = (a: "firmA" | "bankX") => ({ userId: actors[a].userId, orgId: actors[a].orgId });
    const w = { firmA: party("firmA"), bankX: party("bankX") } as unknown as DealWorld;
    await driveTo(t.db, w, id, "disbursed", { valueDate: today });
    const path = `/bank/loans/${id}`;
    const post = (actor: Actor, body: Record<string, string>) =>
      requestAs(app, actors, actor, path, form(body));
    const locks = async () =>
      (
        await t.db
          .selectFrom("pledge_locks")
          .select("asset_id")
          .where("application_id", "=", id)
          .execute()
      ).map((l) => l.asset_id);

    // Not defaulted yet: no release form, and a posted release is refused.
    expect(await (await requestAs(app, actors, "bankX", path)).text()).not.toContain(
      'data-testid="release-pledge"',
    );
    const early = await post("bankX", { intent: "release", reason: "提前解除", confirm: "on" });
    expect(early.status).toBe(409);
    expect(await early.text()).toContain("只有已认定违约的贷款可以在此解除质押");

    const defaulted = await post("bankX", {
      intent: "default",
      reason: "逾期超过90天",
      confirm: "on",
    });
    expect(defaulted.status).toBe(302);
    expect(await locks()).toEqual([asset]);
    const page = await (await requestAs(app, actors, "bankX", path)).text();
    expect(page).toContain("质押有效：1 项资产锁定");
    expect(page).toContain('data-testid="release-pledge"');

    // Without the confirmation box, or from another bank or the firm: nothing is released.
    expect((await post("bankX", { intent: "release", reason: "法院拍卖" })).status).toBe(400);
    expect(
      (await post("bankY", { intent: "release", reason: "法院拍卖处置", confirm: "on" })).status,
    ).toBe(404);
    expect(
      (await post("firmA", { intent: "release", reason: "法院拍卖处置", confirm: "on" })).status,
    ).toBe(403);
    expect(await locks()).toEqual([asset]);

    const released = await post("bankX", {
      intent: "release",
      reason: "质押专利已经法院拍卖处置",
      confirm: "on",
    });
    expect(released.status).toBe(302);
    expect(await locks()).toEqual([]);
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "reason", "actor_user_id"])
      .where("entity_type", "=", "application")
      .where("entity_id", "=", String(id))
      .where("action", "=", "loan.pledge_release")
      .execute();
    expect(audit).toEqual([
      {
        action: "loan.pledge_release",
        reason: "质押专利已经法院拍卖处置",
        actor_user_id: actors.bankX.userId,
      },
    ]);
    const after = await (await requestAs(app, actors, "bankX", path)).text();
    expect(after).toContain("质押已解除");
    expect(after).not.toContain('data-testid="release-pledge"');
    // Nothing is left to list for disposal.
    expect(after).not.toContain(`/bank/loans/${id}/dispose`);
    const again = await post("bankX", { intent: "release", reason: "再次解除", confirm: "on" });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("该贷款的质押已解除");
  });
});
