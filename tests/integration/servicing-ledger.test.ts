import { describe, expect, it } from "vitest";
import {
  ensureLoanAccounts,
  getLoanView,
  interestPaid,
  outstandingPrincipal,
  overrideClassification,
  postRepayment,
  reconcileServicing,
  recordLoanDefault,
  reverseRepayment,
} from "../../app/models/servicing/loan.server";
import { addDays } from "../../app/domain/ip";
import { approveApplication } from "../../app/models/application.server";
import { buildSchedule } from "../../app/domain/servicing/schedule";
import { createDb } from "../../app/utils/db.server";
import { todayInChina } from "../../app/utils/time";
import { useTestDb as testDatabase } from "../support/db";
import {
  addAsset,
  createDealWorld,
  driveTo,
  newApplication,
  type DealWorld,
} from "../support/applications";

const t = testDatabase();
const today = todayInChina();

async function disbursedLoan(
  w: DealWorld,
  o: {
    valueDate: string;
    amountFen?: number;
    method?: "equal_instalment" | "equal_principal" | "interest_only" | "bullet";
  },
) {
  const asset = await addAsset(t.db, w.firmA.orgId, { valueFen: 1_000_000_000 });
  const id = await newApplication(t.db, w, {
    assetIds: [asset],
    amountFen: o.amountFen ?? 10_000_000,
  });
  await driveTo(t.db, w, id, "approved");
  await t.db
    .updateTable("applications")
    .set({ repayment_method: o.method ?? "equal_instalment" })
    .where("id", "=", id)
    .execute();
  await driveTo(t.db, w, id, "disbursed", { valueDate: o.valueDate });
  await ensureLoanAccounts(t.db);
  return id;
}

let keySeq = 0;
const key = () => `test-key-${process.pid}-${keySeq++}`;

async function countEntries() {
  const r = await t.db
    .selectFrom("repayment_entries")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

describe(`repayment ledger on ${process.env.TEST_DB ?? "sqlite"}`, () => {
  let w: DealWorld;
  const bank = () => ({
    actorUserId: w.bankX.userId,
    actorOrgId: w.bankX.orgId,
    bankOrgId: w.bankX.orgId,
  });

  it("opens the loan with the schedule the domain computes", async () => {
    w = await createDealWorld(t.db);
    const id = await disbursedLoan(w, { valueDate: "2026-01-31", method: "equal_principal" });
    const view = (await getLoanView(t.db, id, "2026-02-01"))!;
    const expected = buildSchedule({
      method: "equal_principal",
      principalFen: 10_000_000,
      annualRateBp: 385,
      termMonths: 12,
      startDate: "2026-01-31",
    });
    expect(view.terms.schedule).toEqual(expected);
    expect(await outstandingPrincipal(t.db, id)).toBe(10_000_000);
    expect((await reconcileServicing(t.db)).outstanding_drift_fen).toBe(0);
  });

  it("posts instalments, refuses bad ones writing nothing, reverses, and keeps the balances exact", async () => {
    const id = await disbursedLoan(w, { valueDate: "2026-01-31" });
    const view = (await getLoanView(t.db, id, "2026-02-28"))!;
    const first = view.terms.schedule[0];
    const posted = await postRepayment(t.db, {
      ...bank(),
      applicationId: id,
      amountFen: first.totalFen,
      valueDate: "2026-02-28",
      idempotencyKey: key(),
    });
    expect(posted).toMatchObject({
      kind: "scheduled",
      principalFen: first.principalFen,
      interestFen: first.interestFen,
      replayed: false,
    });
    const before = await countEntries();
    const refusals: [number, string, string][] = [
      [first.totalFen, "2026-01-30", "servicing:refusals.beforeDisbursement"],
      [first.totalFen, addDays(today, 1), "servicing:refusals.inFuture"],
      [first.totalFen, "2026-02-27", "servicing:refusals.beforeLastRepayment"],
      [10_000_000_000, "2026-03-31", "servicing:refusals.moreThanOwed"],
    ];
    for (const [amountFen, valueDate, msg] of refusals) {
      await expect(
        postRepayment(t.db, {
          ...bank(),
          applicationId: id,
          amountFen,
          valueDate,
          idempotencyKey: key(),
        }),
      ).rejects.toMatchObject({ key: msg });
    }
    // Another bank cannot post on this loan.
    await expect(
      postRepayment(t.db, {
        actorUserId: w.bankY.userId,
        actorOrgId: w.bankY.orgId,
        bankOrgId: w.bankY.orgId,
        applicationId: id,
        amountFen: 100,
        valueDate: "2026-03-31",
        idempotencyKey: key(),
      }),
    ).rejects.toMatchObject({ status: 404 });
    expect(await countEntries()).toBe(before);

    const second = view.terms.schedule[1];
    const p2 = await postRepayment(t.db, {
      ...bank(),
      applicationId: id,
      amountFen: second.totalFen,
      valueDate: "2026-03-31",
      idempotencyKey: key(),
    });
    expect(await outstandingPrincipal(t.db, id)).toBe(
      10_000_000 - first.principalFen - second.principalFen,
    );
    expect(await interestPaid(t.db, id, { from: "2026-02-01", to: "2026-02-28" })).toBe(
      first.interestFen,
    );
    // Only the latest repayment can be reversed; a reversal nets it out.
    await expect(
      reverseRepayment(t.db, { ...bank(), entryId: posted.entryId, reason: "wrong loan" }),
    ).rejects.toMatchObject({ key: "servicing:refusals.notLatest" });
    await reverseRepayment(t.db, {
      ...bank(),
      entryId: p2.entryId,
      reason: "posted twice by mistake",
    });
    await expect(
      reverseRepayment(t.db, { ...bank(), entryId: p2.entryId, reason: "again" }),
    ).rejects.toMatchObject({ key: "servicing:refusals.alreadyReversed" });
    expect(await outstandingPrincipal(t.db, id)).toBe(10_000_000 - first.principalFen);
    expect(await interestPaid(t.db, id, { from: "2026-01-01", to: "2026-12-31" })).toBe(
      first.interestFen,
    );
    const r = await reconcileServicing(t.db);
    expect(r).toMatchObject({ outstanding_drift_fen: 0, repayment_drift_fen: 0 });
  });

  it("settles a loan in full, marks the application repaid and refuses anything more", async () => {
    const id = await disbursedLoan(w, { valueDate: addDays(today, -10), method: "bullet" });
    const view = (await getLoanView(t.db, id, today))!;
    const s = await postRepayment(t.db, {
      ...bank(),
      applicationId: id,
      amountFen: view.position.settlementFen,
      valueDate: today,
      idempotencyKey: key(),
    });
    expect(s).toMatchObject({
      kind: "settlement",
      principalFen: 10_000_000,
      outstandingAfterFen: 0,
    });
    const app = await t.db
      .selectFrom("applications")
      .select("state")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(app.state).toBe("repaid");
    await expect(
      postRepayment(t.db, {
        ...bank(),
        applicationId: id,
        amountFen: 100,
        valueDate: today,
        idempotencyKey: key(),
      }),
    ).rejects.toMatchObject({ key: "servicing:refusals.closed" });
  });

  it("classifies by days overdue, takes a stricter override with a reason, records a default with its loss", async () => {
    const start = addDays(today, -130);
    const id = await disbursedLoan(w, { valueDate: start, method: "interest_only" });
    const view = (await getLoanView(t.db, id, today))!;
    expect(view.position.daysPastDue).toBeGreaterThan(90);
    expect(view.classification.riskClass).toBe("substandard");
    await expect(
      overrideClassification(t.db, {
        ...bank(),
        applicationId: id,
        riskClass: "special_mention",
        reason: "paid soon",
      }),
    ).rejects.toMatchObject({ key: "servicing:refusals.overrideNotStricter" });
    await overrideClassification(t.db, {
      ...bank(),
      applicationId: id,
      riskClass: "doubtful",
      reason: "firm stopped trading",
    });
    expect((await getLoanView(t.db, id, today))!.classification).toMatchObject({
      riskClass: "doubtful",
      overridden: true,
    });
    const loss = await recordLoanDefault(t.db, {
      ...bank(),
      applicationId: id,
      reason: "collateral auctioned",
    });
    expect(loss.principalLossFen).toBe(10_000_000);
    expect(loss.interestLossFen).toBe(view.position.dueInterestFen);
    const d = await t.db
      .selectFrom("loan_defaults")
      .selectAll()
      .where("application_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(Number(d.principal_loss_fen)).toBe(10_000_000);
    const audit = await t.db
      .selectFrom("audit_log")
      .select("action")
      .where("entity_id", "=", String(id))
      .where("action", "like", "loan.%")
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(["loan.classify", "loan.default"]);
  });

  it("100 identical posts at once record one entry", async () => {
    const id = await disbursedLoan(w, { valueDate: today });
    const before = await countEntries();
    const k = key();
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () =>
        postRepayment(t.db, {
          ...bank(),
          applicationId: id,
          amountFen: 12_345,
          valueDate: today,
          idempotencyKey: k,
        }),
      ),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    expect(ok.length).toBe(100);
    expect(await countEntries()).toBe(before + 1);
    expect(await outstandingPrincipal(t.db, id)).toBe(10_000_000 - 12_345);
  });

  it("approval takes only a method the product offers; disbursement opens the loan with it", async () => {
    await t.db
      .updateTable("loan_products")
      .set({ repayment_methods_mask: 2 | 8 })
      .where("id", "=", w.productX)
      .execute();
    try {
      const asset = await addAsset(t.db, w.firmA.orgId, { valueFen: 1_000_000_000 });
      const id = await newApplication(t.db, w, { assetIds: [asset] });
      await driveTo(t.db, w, id, "under_review");
      const row = await t.db
        .selectFrom("applications")
        .select(["version", "amount_fen"])
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      const decision = {
        applicationId: id,
        version: row.version,
        amountFen: Number(row.amount_fen),
        rateBp: 385,
        termMonths: 12,
      };
      await expect(
        approveApplication(t.db, w.bankX, { ...decision, repaymentMethod: "equal_instalment" }),
      ).rejects.toMatchObject({
        key: "servicing:refusals.methodNotOffered",
      });
      await approveApplication(t.db, w.bankX, { ...decision, repaymentMethod: "bullet" });
      await driveTo(t.db, w, id, "disbursed", { valueDate: today });
      const account = await t.db
        .selectFrom("loan_accounts")
        .selectAll()
        .where("application_id", "=", id)
        .executeTakeFirstOrThrow();
      expect(account).toMatchObject({ method: "bullet", status: "open" });
      expect(Number(account.outstanding_principal_fen)).toBe(Number(row.amount_fen));
    } finally {
      await t.db
        .updateTable("loan_products")
        .set({ repayment_methods_mask: 15 })
        .where("id", "=", w.productX)
        .execute();
    }
  });

  it("1,000 repayments over 50 connections keep every outstanding balance exact", async () => {
    const loans: number[] = [];
    for (let i = 0; i < 20; i++) loans.push(await disbursedLoan(w, { valueDate: today }));
    const big = t.kind === "mysql" ? createDb(t.url, { poolSize: 60 }) : null;
    const db = big?.db ?? t.db;
    try {
      const jobs = Array.from({ length: 1_000 }, (_, i) => ({
        id: loans[i % 20],
        amountFen: 1_000 + (i % 7),
      }));
      let next = 0;
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (next < jobs.length) {
            const j = jobs[next++];
            await postRepayment(db, {
              ...bank(),
              applicationId: j.id,
              amountFen: j.amountFen,
              valueDate: today,
              idempotencyKey: key(),
            });
          }
        }),
      );
      for (const [i, id] of loans.entries()) {
        const paid = jobs.filter((_, n) => n % 20 === i).reduce((s, j) => s + j.amountFen, 0);
        expect(await outstandingPrincipal(t.db, id)).toBe(10_000_000 - paid);
      }
      const r = await reconcileServicing(t.db);
      expect(r).toMatchObject({ outstanding_drift_fen: 0, repayment_drift_fen: 0 });
      expect(r.drifts).toEqual([]);
    } finally {
      await big?.db.destroy();
    }
  }, 120_000);
});
