/**
 * Risk pools, claims and subsidies on SQLite and MariaDB (TEST_DB): reservation at disbursement
 * and its leverage refusal, claims split by shares, and the races — approvals on an almost empty
 * pool, subsidy claims on an almost spent budget, 1,000 concurrent contributions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  disburseApplication,
  getApplicationRow,
  recordDefault,
} from "../../app/models/application.server";
import { UserFacingError } from "../../app/models/errors";
import { decideClaim, fileClaim, previewClaim } from "../../app/models/risk-sharing/claims.server";
import {
  getPublicDisposal,
  listForDisposal,
  recordProceeds,
  registerInterest,
} from "../../app/models/risk-sharing/disposals.server";
import type { RiskActor } from "../../app/models/risk-sharing/common.server";
import {
  addContribution,
  createPool,
  listPoolSummaries,
  type PoolInput,
} from "../../app/models/risk-sharing/pools.server";
import { bindQuote, quoteProduct } from "../../app/models/risk-sharing/quotes.server";
import { reconcileRiskSharing } from "../../app/models/risk-sharing/reconcile.server";
import {
  createProgramme,
  decideSubsidyClaim,
  fileSubsidyClaim,
  previewSubsidy,
  setLpr,
} from "../../app/models/risk-sharing/subsidies.server";
import { createDb, type DbHandle } from "../../app/utils/db.server";
import { nowInstant, todayInChina } from "../../app/utils/time";
import { useTestDb } from "../support/db";
import {
  addAsset,
  addProduct,
  createDealWorld,
  driveTo,
  newApplication,
  type DealWorld,
  type Party,
} from "../support/applications";

const WAN = 1_000_000;

async function runConcurrently<T>(tasks: (() => Promise<T>)[], limit: number) {
  const results: PromiseSettledResult<T>[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await tasks[i]() };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

const keyOf = (e: unknown) => (e instanceof UserFacingError ? e.key : String(e));

describe("risk sharing", () => {
  const t = useTestDb();
  let w: DealWorld;
  let big: DbHandle;
  let gov: RiskActor;
  let otherGov: RiskActor;
  let insurer: number;
  let guarantor: number;
  let admin: RiskActor;
  let seq = 0;

  const actor = (p: Party, role: RiskActor["role"]): RiskActor => ({
    userId: p.userId,
    orgId: p.orgId,
    role,
  });

  async function allianceOrg(kind: "government" | "insurer" | "guarantor", name: string) {
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
    const orgId = Number(o.insertId);
    const u = await t.db
      .insertInto("users")
      .values({
        org_id: orgId,
        email: `${kind}-${orgId}-${Date.now()}@risk.test`,
        password_hash: "x",
        role: "alliance",
        display_name: name,
        created_at: nowInstant(),
      })
      .executeTakeFirstOrThrow();
    return { orgId, userId: Number(u.insertId) };
  }

  function poolInput(productId: number, over: Partial<PoolInput> = {}): PoolInput {
    return {
      name: `测试资金池${++seq}`,
      kind: "county",
      shares: { pool: 4000, insurer: 3000, guarantor: 2000, bank: 1000 },
      perLoanCapFen: 50 * WAN,
      leverageMultipleBp: 100_000,
      interestDaysAllowed: 90,
      requiredDocuments: ["loan_contract", "default_notice"],
      productIds: [productId],
      regionCodes: [],
      insurerOrgId: insurer,
      guarantorOrgId: guarantor,
      ...over,
    };
  }

  /** A disbursed loan of `amountFen` on the product, by firm A and bank X. */
  async function disbursedLoan(productId: number, amountFen: number) {
    const id = await newApplication(t.db, w, {
      assetIds: [await addAsset(t.db, w.firmA.orgId, { valueFen: 10 * amountFen })],
      amountFen,
      productId,
    });
    await driveTo(t.db, w, id, "disbursed", { valueDate: "2025-06-30" });
    return id;
  }

  async function defaultLoan(id: number) {
    const row = (await getApplicationRow(t.db, id))!;
    await recordDefault(t.db, w.bankX, {
      applicationId: id,
      version: row.version,
      closedDate: "2026-01-15",
      reason: "逾期超过90天",
    });
  }

  const docs = [{ document: "loan_contract" }, { document: "default_notice" }];

  beforeAll(async () => {
    w = await createDealWorld(t.db);
    big = t.kind === "mysql" ? createDb(t.url, { poolSize: 60 }) : t.handle;
    const g = await allianceOrg("government", "包头市市场监督管理局");
    gov = actor(g, "alliance");
    otherGov = actor(await allianceOrg("government", "赤峰市市场监督管理局"), "alliance");
    insurer = (await allianceOrg("insurer", "测试保险")).orgId;
    guarantor = (await allianceOrg("guarantor", "测试担保")).orgId;
    admin = actor(w.admin, "admin");
  });

  afterAll(async () => {
    if (big && big !== t.handle) await big.db.destroy();
  });

  it("refuses shares that do not add up to 100%, and a bank setting up a pool, writing nothing", async () => {
    const product = await addProduct(t.db, w.bankX.orgId, w.bankX.userId);
    await expect(
      createPool(
        t.db,
        gov,
        poolInput(product, { shares: { pool: 4000, insurer: 3000, guarantor: 2000, bank: 900 } }),
      ),
    ).rejects.toMatchObject({ key: "risk:validation.sharesNotWhole", params: { totalBp: 9900 } });
    await expect(
      createPool(t.db, actor(w.bankX, "bank_officer"), poolInput(product)),
    ).rejects.toMatchObject({
      status: 403,
    });
    const n = await t.db
      .selectFrom("risk_pools")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
  });

  it("records a contribution once however often it is posted", async () => {
    const product = await addProduct(t.db, w.bankX.orgId, w.bankX.userId);
    const poolId = await createPool(t.db, gov, poolInput(product));
    const post = () =>
      addContribution(t.db, gov, {
        poolId,
        funderName: "包头市财政局",
        amountFen: 100 * WAN,
        valueDate: "2025-01-02",
        idempotencyKey: "k-1",
      });
    const a = await post();
    const b = await post();
    expect(b).toEqual({ entryId: a.entryId, replayed: true });
    expect((await listPoolSummaries(t.db, poolId))[0]).toMatchObject({
      contributedFen: 100 * WAN,
      balanceFen: 100 * WAN,
    });
    await expect(
      addContribution(t.db, otherGov, {
        poolId,
        funderName: "x",
        amountFen: 1,
        valueDate: "2025-01-02",
        idempotencyKey: "k-2",
      }),
    ).rejects.toMatchObject({ status: 403 });
  });

  it("reserves coverage at disbursement, refuses a loan over the leverage cap, releases on repayment", async () => {
    const product = await addProduct(t.db, w.bankX.orgId, w.bankX.userId);
    // 1× leverage on a 30万 pool, 20万 per loan: a 20万 loan fits, a second 20万 loan does not.
    const poolId = await createPool(
      t.db,
      gov,
      poolInput(product, { leverageMultipleBp: 10_000, perLoanCapFen: 20 * 10_000 * 100 }),
    );
    await addContribution(t.db, gov, {
      poolId,
      funderName: "财政",
      amountFen: 30 * 10_000 * 100,
      valueDate: "2025-01-02",
      idempotencyKey: `lev-${poolId}`,
    });
    const first = await disbursedLoan(product, 20 * 10_000 * 100);
    expect((await listPoolSummaries(t.db, poolId))[0].exposureFen).toBe(20 * 10_000 * 100);

    const second = await newApplication(t.db, w, {
      assetIds: [await addAsset(t.db, w.firmA.orgId)],
      amountFen: 20 * 10_000 * 100,
      productId: product,
    });
    await driveTo(t.db, w, second, "pledge_registered", { regDate: "2025-06-30" });
    const row = (await getApplicationRow(t.db, second))!;
    const entriesBefore = await t.db
      .selectFrom("ledger_entries")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    await expect(
      disburseApplication(t.db, w.bankX, {
        applicationId: second,
        version: row.version,
        amountFen: 20 * 10_000 * 100,
        valueDate: "2025-06-30",
      }),
    ).rejects.toMatchObject({ key: "risk:validation.leverageExceeded" });
    expect((await getApplicationRow(t.db, second))!.state).toBe("pledge_registered");
    const entriesAfter = await t.db
      .selectFrom("ledger_entries")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(entriesAfter.n)).toBe(Number(entriesBefore.n));

    const { recordRepayment } = await import("../../app/models/application.server");
    const r1 = (await getApplicationRow(t.db, first))!;
    await recordRepayment(t.db, w.bankX, {
      applicationId: first,
      version: r1.version,
      closedDate: "2025-12-30",
    });
    expect((await listPoolSummaries(t.db, poolId))[0].exposureFen).toBe(0);
    const res = await t.db
      .selectFrom("risk_reservations")
      .select("state")
      .where("application_id", "=", first)
      .executeTakeFirstOrThrow();
    expect(res.state).toBe("released");
  });

  it("files a claim from a defaulted loan, refuses one above the loss, approves in part split by shares", async () => {
    const product = await addProduct(t.db, w.bankX.orgId, w.bankX.userId);
    const poolId = await createPool(t.db, gov, poolInput(product, { perLoanCapFen: 8 * WAN }));
    await addContribution(t.db, gov, {
      poolId,
      funderName: "财政",
      amountFen: 100 * WAN,
      valueDate: "2025-01-02",
      idempotencyKey: `c-${poolId}`,
    });
    const id = await disbursedLoan(product, 10 * WAN);
    await defaultLoan(id);
    const bank = actor(w.bankX, "bank_officer");
    const preview = await previewClaim(t.db, bank, id);
    expect(preview).toMatchObject({
      outstandingPrincipalFen: 10 * WAN,
      coveredPrincipalFen: 8 * WAN,
      lossFen: 8 * WAN,
    });
    await expect(
      fileClaim(t.db, bank, {
        applicationId: id,
        claimedFen: 8 * WAN + 1,
        documents: docs,
        idempotencyKey: `f-${id}`,
      }),
    ).rejects.toMatchObject({ key: "risk:validation.claimAboveLoss" });
    await expect(
      fileClaim(t.db, bank, {
        applicationId: id,
        claimedFen: 8 * WAN,
        documents: [docs[0]],
        idempotencyKey: `f-${id}`,
      }),
    ).rejects.toMatchObject({ key: "risk:validation.documentMissing" });
    await expect(previewClaim(t.db, actor(w.bankY, "bank_officer"), id)).rejects.toMatchObject({
      status: 404,
    });
    const { claimId } = await fileClaim(t.db, bank, {
      applicationId: id,
      claimedFen: 8 * WAN,
      documents: docs,
      idempotencyKey: `f-${id}`,
    });
    expect((await listPoolSummaries(t.db, poolId))[0].exposureFen).toBe(0);

    await expect(
      decideClaim(t.db, otherGov, claimId, { decision: "approve", approvedFen: 1 }),
    ).rejects.toMatchObject({ status: 403 });
    const approved = 7 * WAN + 1;
    expect(
      await decideClaim(t.db, gov, claimId, { decision: "approve", approvedFen: approved }),
    ).toEqual({ state: "partially_approved" });
    const payouts = await t.db
      .selectFrom("risk_claim_payouts")
      .select(["party", "amount_fen"])
      .where("claim_id", "=", claimId)
      .orderBy("party")
      .execute();
    expect(Object.fromEntries(payouts.map((p) => [p.party, Number(p.amount_fen)]))).toEqual({
      bank: 700_000,
      guarantor: 1_400_000,
      insurer: 2_100_000,
      pool: 2_800_001,
    });
    expect((await listPoolSummaries(t.db, poolId))[0]).toMatchObject({
      balanceFen: 100 * WAN - 2_800_001,
      claimsPaidFen: 2_800_001,
    });
    await expect(
      decideClaim(t.db, gov, claimId, { decision: "approve", approvedFen: 1 }),
    ).rejects.toMatchObject({ status: 409 });
  });

  it("pays the insurer's share through the policy bound on the loan, the guarantor's through the pool's", async () => {
    const product = await addProduct(t.db, w.bankX.orgId, w.bankX.userId);
    const poolId = await createPool(t.db, gov, poolInput(product));
    await addContribution(t.db, gov, {
      poolId,
      funderName: "财政",
      amountFen: 100 * WAN,
      valueDate: "2025-01-02",
      idempotencyKey: `c-${poolId}`,
    });
    const boundInsurer = await allianceOrg("insurer", "绑定保险");
    await quoteProduct(t.db, actor(boundInsurer, "alliance"), { productId: product, rateBp: 120 });
    const quote = await t.db
      .selectFrom("risk_product_quotes")
      .select("id")
      .where("product_id", "=", product)
      .where("party_org_id", "=", boundInsurer.orgId)
      .executeTakeFirstOrThrow();
    const id = await newApplication(t.db, w, {
      assetIds: [await addAsset(t.db, w.firmA.orgId, { valueFen: 100 * WAN })],
      amountFen: 10 * WAN,
      productId: product,
    });
    await driveTo(t.db, w, id, "approved");
    const bank = actor(w.bankX, "bank_officer");
    await bindQuote(t.db, bank, { applicationId: id, quoteId: quote.id });
    await driveTo(t.db, w, id, "disbursed", { valueDate: "2025-06-30" });
    await defaultLoan(id);
    const { claimId } = await fileClaim(t.db, bank, {
      applicationId: id,
      claimedFen: 10 * WAN,
      documents: docs,
      idempotencyKey: `f-${id}`,
    });
    await decideClaim(t.db, gov, claimId, { decision: "approve", approvedFen: 10 * WAN });
    const payers = await t.db
      .selectFrom("risk_claim_payouts")
      .select(["party", "payer_org_id", "amount_fen"])
      .where("claim_id", "=", claimId)
      .execute();
    const by = Object.fromEntries(payers.map((p) => [p.party, p]));
    expect(by.insurer).toMatchObject({ payer_org_id: boundInsurer.orgId });
    expect(Number(by.insurer.amount_fen)).toBe(3 * WAN);
    expect(by.guarantor).toMatchObject({ payer_org_id: guarantor });
    expect(by.bank).toMatchObject({ payer_org_id: w.bankX.orgId });
  });

  it("of claims racing for the last of a pool, only those the balance can pay are approved", async () => {
    const product = await addProduct(t.db, w.bankX.orgId, w.bankX.userId);
    // Pool share 40%: each 10万 claim takes 4万 from the pool; a 10万 pool pays two of five.
    const poolId = await createPool(t.db, gov, poolInput(product, { perLoanCapFen: 10 * WAN }));
    await addContribution(t.db, gov, {
      poolId,
      funderName: "财政",
      amountFen: 10 * WAN,
      valueDate: "2025-01-02",
      idempotencyKey: `r-${poolId}`,
    });
    const bank = actor(w.bankX, "bank_officer");
    const claims: number[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await disbursedLoan(product, 10 * WAN);
      await defaultLoan(id);
      claims.push(
        (
          await fileClaim(t.db, bank, {
            applicationId: id,
            claimedFen: 10 * WAN,
            documents: docs,
            idempotencyKey: `race-${id}`,
          })
        ).claimId,
      );
    }
    const results = await runConcurrently(
      claims.map(
        (c) => () => decideClaim(big.db, gov, c, { decision: "approve", approvedFen: 10 * WAN }),
      ),
      5,
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results
      .filter((r) => r.status === "rejected")
      .map((r) => keyOf((r as PromiseRejectedResult).reason));
    expect(ok).toHaveLength(2);
    expect(refused).toEqual(Array(3).fill("risk:validation.poolExhausted"));
    const s = (await listPoolSummaries(t.db, poolId))[0];
    expect(s.balanceFen).toBe(2 * WAN);
    const stillFiled = await t.db
      .selectFrom("risk_claims")
      .select("id")
      .where("pool_id", "=", poolId)
      .where("state", "=", "filed")
      .execute();
    expect(stillFiled).toHaveLength(3);
  });

  it("keeps a pool exact to the fen under 1,000 concurrent contributions", async () => {
    const product = await addProduct(t.db, w.bankX.orgId, w.bankX.userId);
    const poolId = await createPool(t.db, gov, poolInput(product));
    const amounts = Array.from({ length: 1000 }, (_, i) => 1 + ((i * 7919) % 100_003));
    const results = await runConcurrently(
      amounts.map(
        (a, i) => () =>
          addContribution(big.db, gov, {
            poolId,
            funderName: `出资方${i % 7}`,
            amountFen: a,
            valueDate: "2025-02-01",
            idempotencyKey: `many-${poolId}-${i}`,
          }),
      ),
      50,
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const s = (await listPoolSummaries(t.db, poolId))[0];
    expect(s.balanceFen).toBe(amounts.reduce((x, y) => x + y, 0));
  });

  describe("interest subsidies", () => {
    let loan: number;
    let entry = 0;

    async function interestPaid(applicationId: number, valueDate: string, interestFen: number) {
      const app = (await getApplicationRow(t.db, applicationId))!;
      await t.db
        .insertInto("repayment_entries")
        .values({
          application_id: applicationId,
          entry_type: "repayment",
          kind: "scheduled",
          idempotency_key: `test-${applicationId}-${++entry}`,
          reverses_entry_id: null,
          value_date: valueDate,
          month: valueDate.slice(0, 7),
          principal_fen: 0,
          interest_fen: interestFen,
          region_code: app.region_code,
          bank_org_id: app.bank_org_id,
          firm_org_id: app.firm_org_id,
          ip_type: "invention",
          reason: null,
          created_by: w.bankX.userId,
          created_at: nowInstant(),
        } as never)
        .execute();
    }

    const programme = (over = {}) => ({
      name: `贴息${++seq}`,
      shareBp: 5000,
      lprMultipleCapBp: 15_000,
      perFirmYearCapFen: 30 * WAN,
      budgetFen: 1000 * WAN,
      windowStart: "2025-01-01",
      windowEnd: "2026-12-31",
      regionCodes: [],
      productIds: [],
      requiredFlags: [],
      firstPledgeOnly: false,
      autoApprove: false,
      ...over,
    });

    beforeAll(async () => {
      await setLpr(t.db, admin, { effectiveDate: "2024-10-21", rateBp: 310 });
      await setLpr(t.db, admin, { effectiveDate: "2025-05-20", rateBp: 300 });
      loan = await disbursedLoan(w.productX, 10 * WAN);
    });

    it("computes the subsidy from the interest paid and never subsidises it twice across programmes", async () => {
      await interestPaid(loan, "2025-07-31", 100_000); // 1,000 元 at 3.85% (under 1.5× LPR): 50% → 500 元
      const firm = actor(w.firmA, "firm");
      const p1 = await createProgramme(t.db, gov, programme());
      const p2 = await createProgramme(
        t.db,
        otherGov,
        programme({ shareBp: 10_000, lprMultipleCapBp: 6000, autoApprove: true }),
      );
      const preview = await previewSubsidy(t.db, firm, p1, loan, "2026-01-10");
      expect(preview.computation).toMatchObject({ interestFen: 100_000, amountFen: 50_000 });
      const c1 = await fileSubsidyClaim(t.db, firm, {
        programmeId: p1,
        applicationId: loan,
        idempotencyKey: "s1",
        today: "2026-01-10",
      });
      expect(c1.state).toBe("pending");
      await expect(
        fileSubsidyClaim(t.db, firm, {
          programmeId: p2,
          applicationId: loan,
          idempotencyKey: "s2",
          today: "2026-01-10",
        }),
      ).rejects.toMatchObject({ key: "risk:validation.nothingToSubsidise" });
      await expect(
        decideSubsidyClaim(t.db, otherGov, c1.claimId, { decision: "approve" }),
      ).rejects.toMatchObject({ status: 404 });
      await decideSubsidyClaim(t.db, gov, c1.claimId, { decision: "approve" });
      const payout = await t.db
        .selectFrom("subsidy_payouts")
        .select("amount_fen")
        .where("claim_id", "=", c1.claimId)
        .executeTakeFirstOrThrow();
      expect(Number(payout.amount_fen)).toBe(50_000);
      // New interest, programme 2 pays it automatically: 100% at 0.6 × 3.00% = 1.80% of 3.85%.
      await interestPaid(loan, "2025-08-31", 100_000);
      const c2 = await fileSubsidyClaim(t.db, firm, {
        programmeId: p2,
        applicationId: loan,
        idempotencyKey: "s3",
        today: "2026-01-10",
      });
      expect(c2.state).toBe("approved");
      const claim2 = await t.db
        .selectFrom("subsidy_claims")
        .select("amount_fen")
        .where("id", "=", c2.claimId)
        .executeTakeFirstOrThrow();
      expect(Number(claim2.amount_fen)).toBe(Math.floor((100_000 * 180) / 385));
      await expect(
        previewSubsidy(t.db, actor(w.firmB, "firm"), p1, loan, "2026-01-10"),
      ).rejects.toMatchObject({ status: 404 });
    });

    it("never commits more than the budget when firms race for its last part", async () => {
      const budget = 3 * 50_000 + 20_000; // three full claims and part of a fourth
      const pid = await createProgramme(t.db, gov, programme({ budgetFen: budget }));
      const loans: { id: number; firm: Party }[] = [];
      for (let i = 0; i < 6; i++) {
        const id = await disbursedLoan(w.productX, 10 * WAN);
        await interestPaid(id, "2025-09-30", 100_000);
        loans.push({ id, firm: w.firmA });
      }
      const results = await runConcurrently(
        loans.map(
          (l, i) => () =>
            fileSubsidyClaim(big.db, actor(l.firm, "firm"), {
              programmeId: pid,
              applicationId: l.id,
              idempotencyKey: `b-${pid}-${i}`,
              today: "2026-01-10",
            }),
        ),
        6,
      );
      const p = await t.db
        .selectFrom("subsidy_programmes")
        .select(["committed_fen", "budget_fen"])
        .where("id", "=", pid)
        .executeTakeFirstOrThrow();
      expect(Number(p.committed_fen)).toBeLessThanOrEqual(budget);
      const claims = await t.db
        .selectFrom("subsidy_claims")
        .select("amount_fen")
        .where("programme_id", "=", pid)
        .execute();
      expect(claims.reduce((s, c) => s + Number(c.amount_fen), 0)).toBe(Number(p.committed_fen));
      expect(results.filter((r) => r.status === "fulfilled").length).toBe(claims.length);
      for (const r of results) {
        if (r.status === "rejected") {
          expect([
            "risk:validation.budgetExhausted",
            "risk:validation.subsidyAboveBudget",
            "common:errors.conflict",
            "risk:errors.firmCapReached",
          ]).toContain(keyOf(r.reason));
        }
      }
      // Everything that fits is committed once the race is over: a late claim takes the rest.
      expect(Number(p.committed_fen)).toBeGreaterThanOrEqual(3 * 50_000);
    });
  });

  it("lists a defaulted loan's IP, takes interest and shares the proceeds, refunding the pool", async () => {
    const product = await addProduct(t.db, w.bankX.orgId, w.bankX.userId);
    const poolId = await createPool(t.db, gov, poolInput(product, { perLoanCapFen: 10 * WAN }));
    await addContribution(t.db, gov, {
      poolId,
      funderName: "财政",
      amountFen: 100 * WAN,
      valueDate: "2025-01-02",
      idempotencyKey: `d-${poolId}`,
    });
    const bank = actor(w.bankX, "bank_officer");
    const id = await disbursedLoan(product, 10 * WAN);
    await expect(
      listForDisposal(t.db, bank, {
        applicationId: id,
        kind: "transfer",
        title: "x",
        assetSummary: "x",
        appraisalFen: null,
        askingFen: 1,
        terms: "x",
      }),
    ).rejects.toMatchObject({ key: "risk:errors.notDisposable" });
    await defaultLoan(id);
    const { claimId } = await fileClaim(t.db, bank, {
      applicationId: id,
      claimedFen: 10 * WAN,
      documents: docs,
      idempotencyKey: `dc-${id}`,
    });
    await decideClaim(t.db, gov, claimId, { decision: "approve", approvedFen: 10 * WAN });
    const disposalId = await listForDisposal(t.db, bank, {
      applicationId: id,
      kind: "transfer",
      title: "一种节能装置 发明专利转让",
      assetSummary: "发明专利 ZL2020…",
      appraisalFen: 12 * WAN,
      askingFen: 8 * WAN,
      terms: "一次性转让",
    });
    await registerInterest(t.db, {
      disposalId,
      name: "丙公司",
      contact: "0472-1234567",
      message: "有意受让",
    });
    expect(await getPublicDisposal(t.db, disposalId)).toMatchObject({
      state: "listed",
      interestCount: 1,
    });
    const before = (await listPoolSummaries(t.db, poolId))[0].balanceFen;
    // 5万 at 40/30/20/10: 2万 / 1.5万 / 1万 / 0.5万, all within what each paid.
    const sale = { buyerName: "丙公司", soldDate: todayInChina() };
    const r = await recordProceeds(t.db, bank, {
      disposalId,
      proceedsFen: 5 * WAN,
      ...sale,
      idempotencyKey: "p1",
    });
    expect(r.parts).toEqual({ pool: 2 * WAN, insurer: 1.5 * WAN, guarantor: WAN, bank: 0.5 * WAN });
    expect(
      await recordProceeds(t.db, bank, {
        disposalId,
        proceedsFen: 5 * WAN,
        ...sale,
        idempotencyKey: "p1",
      }),
    ).toEqual({ parts: r.parts, replayed: true });
    expect((await listPoolSummaries(t.db, poolId))[0]).toMatchObject({
      balanceFen: before + 2 * WAN,
      recoveredFen: 2 * WAN,
    });
    await expect(
      registerInterest(t.db, { disposalId, name: "丁", contact: "x", message: "x" }),
    ).rejects.toMatchObject({ key: "risk:errors.notListed" });
  });

  it("lowers the reservation as i13's repayment ledger takes the principal below the cap", async () => {
    const product = await addProduct(t.db, w.bankX.orgId, w.bankX.userId);
    const poolId = await createPool(t.db, gov, poolInput(product, { perLoanCapFen: 6 * WAN }));
    await addContribution(t.db, gov, {
      poolId,
      funderName: "财政",
      amountFen: 100 * WAN,
      valueDate: "2025-01-02",
      idempotencyKey: `rep-${poolId}`,
    });
    const id = await disbursedLoan(product, 10 * WAN);
    expect((await listPoolSummaries(t.db, poolId))[0].exposureFen).toBe(6 * WAN);
    const { ensureLoanAccounts, postRepayment } =
      await import("../../app/models/servicing/loan.server");
    await ensureLoanAccounts(t.db);
    const posted = await postRepayment(t.db, {
      applicationId: id,
      amountFen: 5 * WAN,
      valueDate: "2025-07-30",
      idempotencyKey: `repayment-test-${id}`,
      actorUserId: w.bankX.userId,
      actorOrgId: w.bankX.orgId,
      bankOrgId: w.bankX.orgId,
      today: "2025-07-30",
    });
    const expected = Math.min(6 * WAN, posted.outstandingAfterFen);
    expect((await listPoolSummaries(t.db, poolId))[0].exposureFen).toBe(expected);
    expect(expected).toBeLessThan(6 * WAN);
  });

  it("reconciles pools, claims and subsidies with zero drift", async () => {
    const r = await reconcileRiskSharing(t.db);
    expect(r).toMatchObject({ pool_drift_fen: 0, claim_drift_fen: 0, subsidy_drift_fen: 0 });
    expect(r.pools_checked).toBeGreaterThan(0);
    expect(r.claims_checked).toBeGreaterThan(0);
    expect(r.subsidy_programmes_checked).toBeGreaterThan(0);
  });
});
