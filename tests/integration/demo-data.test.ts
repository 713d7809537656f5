/**
 * The demo data (db/seed.ts), seeded once and read by every check below: seeding replays the whole
 * history (~380 deals, their servicing and risk sharing) through the model functions and is the
 * slowest thing an integration test does, so the checks share one seed instead of one each.
 *   - the first impression: firm01–firm05 each see a ready and a subject-to-appraisal product;
 *   - the alliance review's funnel equals the ledger and the running totals;
 *   - risk sharing (issue 14 item 8, db/seed-risk.ts): pools, claims, a disposal and subsidies in
 *     every state, no drift, the insurer's and guarantor's log-ins working and printed;
 *   - loan servicing (issue 13 item 7, db/seed-servicing.ts): every servicing state, no drift,
 *     today's reminders sent once. It runs the daily jobs again, so it comes last.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { FUNNEL_STAGES, type DrillStage } from "../../app/domain/analytics";
import { getDrillDown, getReview, type ReviewFilters } from "../../app/models/alliance.server";
import { reconcileTotals } from "../../app/models/ledger.server";
import { findProductStatesForRequest } from "../../app/models/match-states.server";
import { reconcileRiskSharing } from "../../app/models/risk-sharing/reconcile.server";
import { watchList } from "../../app/models/servicing/collateral.server";
import { runDailyJobs } from "../../app/models/servicing/jobs.server";
import { reconcileServicing } from "../../app/models/servicing/loan.server";
import { verifyLogin } from "../../app/utils/auth.server";
import { todayInChina } from "../../app/utils/time";
import { DEMO_PASSWORD, seedDemo } from "../../db/seed";
import { DEMO_LPR, RISK_PARTIES } from "../../db/seed-risk";
import { SHOWCASE_FIRMS } from "../../db/seed-showcase";
import { printLogins } from "../../scripts/logins";
import { ledgerSums } from "../support/alliance";
import { countRows } from "../support/applications";
import { testDbKind, useTestDb } from "../support/db";

describe(`the demo data (${testDbKind()})`, () => {
  const t = useTestDb();
  const today = todayInChina();
  let logins: Awaited<ReturnType<typeof seedDemo>> = [];
  beforeAll(async () => {
    logins = await seedDemo(t.db);
  }, 1_200_000);

  it("gives firm01–firm05 an open request with a ready and a subject-to-appraisal product, by the engine", async () => {
    expect(SHOWCASE_FIRMS).toEqual([1, 2, 3, 4, 5].map((n) => `firm0${n}@firms.demo`));
    for (const email of SHOWCASE_FIRMS) {
      const user = await t.db
        .selectFrom("users")
        .select("org_id")
        .where("email", "=", email)
        .executeTakeFirstOrThrow();
      const open = await t.db
        .selectFrom("financing_requests")
        .select("id")
        .where("firm_org_id", "=", user.org_id)
        .where("status", "=", "open")
        .orderBy("id")
        .execute();
      const shown: { id: number; ready: number[]; appraisal: number[] }[] = [];
      for (const r of open) {
        const states = await findProductStatesForRequest(t.db, r.id, today);
        expect(states).not.toBeNull();
        const g = states!.groups;
        // Every active product is in exactly one group.
        const all = [...g.ready, ...g.needs_appraisal, ...g.near_miss, ...g.not_suitable];
        expect(all.length).toBe(states!.products.size);
        shown.push({
          id: r.id,
          ready: g.ready.map((e) => e.productId),
          appraisal: g.needs_appraisal.map((e) => e.productId),
        });
      }
      const showcase = shown.find((s) => s.ready.length > 0 && s.appraisal.length > 0);
      expect(showcase, `${email}: ${JSON.stringify(shown)}`).toBeDefined();

      // The showcase request offers no asset that is pledged to a loan already.
      const locked = await t.db
        .selectFrom("financing_request_assets as fra")
        .innerJoin("pledge_locks as l", "l.asset_id", "fra.asset_id")
        .select("l.asset_id")
        .where("fra.request_id", "=", showcase!.id)
        .execute();
      expect(locked).toEqual([]);
    }
  }, 480_000);

  it("has a funnel whose disbursed amount is the ledger total and Σ running totals", async () => {
    const viewer = { role: "alliance" as const, orgId: 0 };
    const all: ReviewFilters = {
      from: "2000-01-01",
      to: todayInChina(),
      region: null,
      bank: null,
      ipType: null,
      industry: null,
      flags: [],
    };
    const r = await getReview(t.db, viewer, all);
    const funnelFen = r.funnel.find((s) => s.stage === "disbursed")!.amountFen;
    const sums = await ledgerSums(t.db);
    expect(sums.ledger).toBeGreaterThan(0); // the demo has a deal history
    expect(funnelFen).toBe(sums.ledger);
    expect(sums.totals).toBe(sums.ledger);
    // Every year on its own, too.
    for (const year of ["2022", "2023", "2024", "2025"]) {
      const period = { from: `${year}-01-01`, to: `${year}-12-31` };
      const y = await getReview(t.db, viewer, { ...all, ...period });
      const ys = await ledgerSums(t.db, period);
      expect(y.funnel.find((s) => s.stage === "disbursed")!.amountFen, year).toBe(ys.ledger);
      expect(ys.totals, year).toBe(ys.ledger);
    }
    expect(FUNNEL_STAGES.length).toBe(r.funnel.length);
    const stage: DrillStage = "disbursed";
    const rows = await getDrillDown(t.db, viewer, all, stage, null, "zh-CN");
    expect(rows.totalAmountFen).toBe(sums.ledger);
    // Some demo firms consent (every third), the others appear under their pseudonym.
    const firms = await t.db
      .selectFrom("organisations")
      .select(["id", "name", "consent_show_name"])
      .where("kind", "=", "firm")
      .execute();
    const consenting = new Map(firms.map((f) => [f.id, f.consent_show_name === 1]));
    expect([...consenting.values()].filter(Boolean).length).toBe(10);
    const names = new Map(firms.map((f) => [f.name, f.id]));
    const shown = rows.kind === "applications" ? rows.rows : [];
    expect(shown.some((r) => r.named) && shown.some((r) => !r.named)).toBe(true);
    for (const r of shown) {
      if (r.named) expect(consenting.get(names.get(r.firm)!), r.firm).toBe(true);
      else expect(r.firm).toMatch(/^企业#[0-9A-F]{4}$/);
    }
  });

  it("seeds pools, claims, a disposal and subsidies in every state, with no drift", async () => {
    // Nothing drifts: pools, claims and subsidies, and the ledgers they sit on.
    const risk = await reconcileRiskSharing(t.db);
    expect(risk).toMatchObject({
      pool_drift_fen: 0,
      claim_drift_fen: 0,
      subsidy_drift_fen: 0,
      pools_checked: 2,
      claims_checked: 4,
      subsidy_programmes_checked: 2,
    });
    expect((await reconcileServicing(t.db)).drifts).toEqual([]);
    expect((await reconcileTotals(t.db)).driftFen).toBe(0);

    // The log-ins: the government member, the insurer and the guarantor, each printed and working.
    const alliance = logins.filter((l) => l.role === "alliance");
    expect(alliance.map((l) => [l.email, l.allianceKind])).toEqual([
      ["alliance@amr.demo", "government"],
      ["insurer@pic.demo", "insurer"],
      ["guarantor@guarantee.demo", "guarantor"],
    ]);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      printLogins(logins, DEMO_PASSWORD);
      const printed = log.mock.calls.map((c) => String(c[0])).join("\n");
      for (const l of logins) expect(printed).toContain(l.email);
      expect(printed).toMatch(/保险 insurer\s+insurer@pic\.demo/);
      expect(printed).toMatch(/担保 guarantor\s+guarantor@guarantee\.demo/);
    } finally {
      log.mockRestore();
    }
    for (const p of RISK_PARTIES) {
      const res = await verifyLogin(p.email, DEMO_PASSWORD, "203.0.113.14", t.db);
      expect(res, p.email).toMatchObject({ ok: true, role: "alliance" });
      const org = await t.db
        .selectFrom("users")
        .innerJoin("organisations", "organisations.id", "users.org_id")
        .select(["organisations.kind", "organisations.alliance_kind"])
        .where("users.email", "=", p.email)
        .executeTakeFirstOrThrow();
      expect(org).toEqual({ kind: "alliance", alliance_kind: p.kind });
    }

    // The pools: a regional one with the insurer and the guarantor over two products of two
    // banks, and a county one limited to its 盟市.
    const pools = await t.db.selectFrom("risk_pools").selectAll().orderBy("id").execute();
    const regional = pools.find((p) => p.kind === "regional")!;
    const county = pools.find((p) => p.kind === "county")!;
    expect(regional.insurer_org_id).not.toBeNull();
    expect(regional.guarantor_org_id).not.toBeNull();
    expect(regional.share_insurer_bp).toBeGreaterThan(0);
    expect(regional.share_guarantor_bp).toBeGreaterThan(0);
    const covered = await t.db
      .selectFrom("risk_pool_products")
      .innerJoin("loan_products", "loan_products.id", "risk_pool_products.product_id")
      .select(["risk_pool_products.pool_id", "loan_products.bank_org_id"])
      .execute();
    const regionalProducts = covered.filter((c) => c.pool_id === regional.id);
    expect(regionalProducts).toHaveLength(2);
    expect(new Set(regionalProducts.map((c) => c.bank_org_id)).size).toBe(2);
    const countyRegions = await t.db
      .selectFrom("risk_pool_regions")
      .select("region_code")
      .where("pool_id", "=", county.id)
      .execute();
    expect(countyRegions).toHaveLength(1);
    for (const p of pools) {
      expect(Number(p.contributed_fen)).toBeGreaterThan(0);
      expect(Number(p.exposure_fen), `${p.name} has open covered loans`).toBeGreaterThan(0);
    }
    // Each regional loan bound the insurer's and the guarantor's quotes.
    const policies = await t.db.selectFrom("risk_policies").select(["kind"]).execute();
    expect(policies.filter((p) => p.kind === "insurance").length).toBeGreaterThan(0);
    expect(policies.filter((p) => p.kind === "guarantee").length).toBe(
      policies.filter((p) => p.kind === "insurance").length,
    );

    // Claims in every state, on loans the servicing model defaulted; payouts only when approved.
    const claims = await t.db
      .selectFrom("risk_claims as c")
      .innerJoin("loan_defaults as d", "d.application_id", "c.application_id")
      .select(["c.id", "c.state", "c.claimed_fen", "c.approved_fen", "c.loss_fen"])
      .execute();
    expect(claims.map((c) => c.state).sort()).toEqual([
      "approved",
      "filed",
      "partially_approved",
      "rejected",
    ]);
    const partial = claims.find((c) => c.state === "partially_approved")!;
    expect(Number(partial.approved_fen)).toBeLessThan(Number(partial.claimed_fen));
    const payouts = await t.db
      .selectFrom("risk_claim_payouts")
      .select(["claim_id", "party"])
      .execute();
    expect(new Set(payouts.map((p) => p.claim_id))).toEqual(
      new Set(
        claims
          .filter((c) => c.state === "approved" || c.state === "partially_approved")
          .map((c) => c.id),
      ),
    );
    expect(new Set(payouts.map((p) => p.party))).toEqual(
      new Set(["pool", "insurer", "guarantor", "bank"]),
    );

    // One disposal sold, its proceeds split back (the pool's part refunds the pool), one listed
    // with a party's interest.
    const disposals = await t.db.selectFrom("disposals").selectAll().execute();
    const sold = disposals.find((d) => d.state === "sold")!;
    expect(sold).toBeDefined();
    expect(disposals.some((d) => d.state === "listed")).toBe(true);
    const split = await t.db
      .selectFrom("disposal_distributions")
      .select(["party", "amount_fen"])
      .where("disposal_id", "=", sold.id)
      .execute();
    expect(split.reduce((s, d) => s + Number(d.amount_fen), 0)).toBe(Number(sold.proceeds_fen));
    expect(split.map((d) => d.party).sort()).toEqual(["bank", "guarantor", "insurer", "pool"]);
    expect(Number(regional.recovered_fen)).toBe(
      Number(split.find((d) => d.party === "pool")!.amount_fen),
    );
    const interests = await t.db.selectFrom("disposal_interests").select("disposal_id").execute();
    expect(new Set(interests.map((i) => i.disposal_id)).size).toBe(2);

    // The pledge outlives the default (decision 022): a defaulted loan keeps its locks unless its
    // disposal was sold or the bank released the pledge, each with its audit row.
    const defaulted = await t.db
      .selectFrom("applications")
      .select("id")
      .where("state", "=", "defaulted")
      .execute();
    const releases = await t.db
      .selectFrom("audit_log")
      .select(["entity_id", "detail_json"])
      .where("action", "=", "loan.pledge_release")
      .execute();
    const releasedVia = new Map(
      releases.map((r) => [Number(r.entity_id), JSON.parse(r.detail_json!).via as string]),
    );
    const soldLoans = new Set(
      disposals.filter((d) => d.state === "sold").map((d) => d.application_id),
    );
    const listedLoans = disposals.filter((d) => d.state === "listed").map((d) => d.application_id);
    let kept = 0;
    for (const { id } of defaulted) {
      const [locks, pledged] = await Promise.all([
        t.db
          .selectFrom("pledge_locks")
          .select("asset_id")
          .where("application_id", "=", id)
          .execute(),
        t.db
          .selectFrom("application_assets")
          .select("asset_id")
          .where("application_id", "=", id)
          .execute(),
      ]);
      if (soldLoans.has(id)) expect(releasedVia.get(id), `loan ${id}`).toBe("disposal");
      if (releasedVia.has(id)) {
        expect(locks, `loan ${id}`).toEqual([]);
      } else {
        expect(locks.length, `loan ${id}`).toBe(pledged.length);
        kept++;
      }
    }
    expect(soldLoans.size).toBe(1);
    expect([...releasedVia.values()]).toContain("bank");
    for (const id of listedLoans) expect(releasedVia.has(id)).toBe(false);
    expect(kept).toBeGreaterThan(listedLoans.length);
    // No closed application holds a lock.
    const stray = await t.db
      .selectFrom("pledge_locks as l")
      .innerJoin("applications as a", "a.id", "l.application_id")
      .select("a.id")
      .where("a.state", "in", ["rejected", "withdrawn", "repaid", "draft", "submitted"])
      .execute();
    expect(stray).toEqual([]);

    // The LPR as dated settings, and two programmes with different rules.
    const lpr = await t.db
      .selectFrom("lpr_settings")
      .select(["effective_date", "rate_bp"])
      .orderBy("effective_date")
      .execute();
    expect(lpr.map((l) => ({ effectiveDate: l.effective_date, rateBp: l.rate_bp }))).toEqual(
      DEMO_LPR,
    );
    const programmes = await t.db
      .selectFrom("subsidy_programmes")
      .selectAll()
      .orderBy("id")
      .execute();
    expect(programmes).toHaveLength(2);
    const [first, second] = programmes;
    expect(first.lpr_multiple_cap_bp).toBe(15_000);
    expect(Number(first.per_firm_year_cap_fen)).toBeGreaterThan(0);
    expect(second.share_bp).not.toBe(first.share_bp);
    expect(second.lpr_multiple_cap_bp).not.toBe(first.lpr_multiple_cap_bp);
    const regionsOf = (p: (typeof programmes)[number]) => p.region_codes.split(",");
    expect(regionsOf(first).filter((r) => regionsOf(second).includes(r))).toEqual([]);

    // Subsidy claims pending, approved and rejected; approved ones paid, each interest payment
    // subsidised once.
    const sclaims = await t.db
      .selectFrom("subsidy_claims")
      .select(["id", "programme_id", "state", "amount_fen"])
      .execute();
    expect(new Set(sclaims.map((c) => c.state))).toEqual(
      new Set(["pending", "approved", "rejected"]),
    );
    expect(new Set(sclaims.map((c) => c.programme_id))).toEqual(
      new Set(programmes.map((p) => p.id)),
    );
    for (const c of sclaims) expect(Number(c.amount_fen)).toBeGreaterThan(0);
    const paid = await t.db.selectFrom("subsidy_payouts").select("claim_id").execute();
    expect(paid.map((p) => p.claim_id).sort()).toEqual(
      sclaims
        .filter((c) => c.state === "approved")
        .map((c) => c.id)
        .sort(),
    );
  }, 1_200_000);

  it("reconciles to the fen and shows every servicing state", async () => {
    const servicing = await reconcileServicing(t.db);
    expect(servicing.drifts).toEqual([]);
    expect(servicing.outstanding_drift_fen).toBe(0);
    expect(servicing.repayment_drift_fen).toBe(0);
    expect(servicing.repayment_entries).toBeGreaterThan(1000);
    const totals = await reconcileTotals(t.db);
    expect(totals.driftFen).toBe(0);
    expect(totals.mismatchedApplications).toEqual([]);

    // Repayments of every kind, each on a day no later than today.
    const kinds = await t.db
      .selectFrom("repayment_entries")
      .select((eb) => [
        "kind",
        eb.fn.countAll<number | string>().as("n"),
        eb.fn.max("value_date").as("last"),
      ])
      .groupBy("kind")
      .execute();
    expect(kinds.map((k) => k.kind).sort()).toEqual([
      "early",
      "partial",
      "scheduled",
      "settlement",
    ]);
    for (const k of kinds) expect(String(k.last) <= today).toBe(true);

    // The application's state follows its loan account: repaid ⇔ closed at zero, disbursed ⇔ open.
    const states = await t.db
      .selectFrom("applications")
      .innerJoin("loan_accounts", "loan_accounts.application_id", "applications.id")
      .select((eb) => [
        "applications.state",
        "loan_accounts.status",
        eb.fn.countAll<number | string>().as("n"),
        eb.fn.sum<number | string>("loan_accounts.outstanding_principal_fen").as("outstanding"),
      ])
      .groupBy(["applications.state", "loan_accounts.status"])
      .execute();
    const byState = Object.fromEntries(states.map((s) => [`${s.state}/${s.status}`, s]));
    expect(Object.keys(byState).sort()).toEqual([
      "defaulted/defaulted",
      "disbursed/open",
      "repaid/closed",
    ]);
    expect(Number(byState["repaid/closed"].outstanding)).toBe(0);
    expect(Number(byState["disbursed/open"].outstanding)).toBeGreaterThan(0);
    const defaults = await t.db.selectFrom("loan_defaults").selectAll().execute();
    expect(defaults.length).toBe(Number(byState["defaulted/defaulted"].n));
    expect(defaults.every((d) => Number(d.principal_loss_fen) > 0)).toBe(true);

    // Open loans overdue in every class today, and one the bank classified more severely.
    const overdue = await t.db
      .selectFrom("loan_accounts")
      .select(["risk_class", "days_past_due", "override_class"])
      .where("status", "=", "open")
      .where("days_past_due", ">", 0)
      .execute();
    for (const cls of ["special_mention", "substandard", "doubtful", "loss"]) {
      expect(
        overdue.some((l) => l.risk_class === cls),
        cls,
      ).toBe(true);
    }
    expect(overdue.filter((l) => l.override_class !== null)).toHaveLength(1);
    const normal = await t.db
      .selectFrom("loan_accounts")
      .select("application_id")
      .where("status", "=", "open")
      .where("risk_class", "=", "normal")
      .execute();
    expect(normal.length).toBeGreaterThan(50);

    // Pledged patents: fees paid, some due soon, one in grace, one lapsed (status and coverage).
    const banks = await t.db
      .selectFrom("organisations")
      .select("id")
      .where("kind", "=", "bank")
      .execute();
    const watched = (
      await Promise.all(banks.map((b) => watchList(t.db, { kind: "bank", bankOrgId: b.id }, today)))
    ).flat();
    const feeStates = watched.flatMap((w) => w.assets.map((a) => a.fee.state));
    expect(feeStates.filter((s) => s === "due_soon").length).toBeGreaterThan(0);
    // One set in grace by the servicing history; the risk-sharing demo's covered loans pledge
    // patents of their own, whose fee dates follow the calendar (a second may be in grace).
    expect(feeStates.filter((s) => s === "grace").length).toBeGreaterThanOrEqual(1);
    expect(feeStates.filter((s) => s === "lapsed")).toHaveLength(1);
    const lapsedLoan = watched.find((w) => w.assets.some((a) => a.fee.state === "lapsed"))!;
    const lapsed = lapsedLoan.assets.find((a) => a.fee.state === "lapsed")!;
    expect(lapsed.status).toBe("lapsed");
    expect(lapsed.counts).toBe(false);
    expect(lapsedLoan.flags).toContain("lapsed");
    const paidFees = await t.db
      .selectFrom("collateral_fee_payments")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(paidFees.n)).toBeGreaterThan(20);

    // The seed ran today's checks: the reminders are there, by mail too, and a second run sends none.
    const reminderKinds = await t.db.selectFrom("reminders").select("kind").distinct().execute();
    expect(reminderKinds.map((r) => r.kind)).toEqual(
      expect.arrayContaining(["instalmentDue", "overdue", "feeGrace", "feeLapsed"]),
    );
    const mailTemplates = await t.db
      .selectFrom("mail_queue")
      .select("template")
      .distinct()
      .execute();
    expect(mailTemplates.map((m) => m.template)).toEqual(
      expect.arrayContaining([
        "instalmentDue",
        "repaymentOverdue",
        "collateralFeeGrace",
        "collateralLapsed",
      ]),
    );
    const count = (table: "reminders" | "mail_queue" | "notifications") => countRows(t.db, table);
    const before = [
      await count("reminders"),
      await count("mail_queue"),
      await count("notifications"),
    ];
    expect(await runDailyJobs(t.db, today)).toMatchObject({ ran: false });
    expect(await runDailyJobs(t.db, today, { force: true })).toMatchObject({
      ran: true,
      reminders: 0,
    });
    expect([
      await count("reminders"),
      await count("mail_queue"),
      await count("notifications"),
    ]).toEqual(before);
  }, 1_200_000);
});
