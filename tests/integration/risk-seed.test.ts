/**
 * The demo's risk sharing (issue 14 item 8, db/seed-risk.ts): replayed through the model
 * functions, it reconciles to the fen and every risk-sharing page has something to show — a
 * regional pool with an insurer and a guarantor over two products, a county pool, claims in every
 * state, a sold disposal split back to the sharers, dated LPR settings and two subsidy programmes
 * with different rules and claims in every state — and the insurer's and guarantor's log-ins work
 * and are printed.
 */
import { describe, expect, it, vi } from "vitest";
import { reconcileTotals } from "../../app/models/ledger.server";
import { reconcileRiskSharing } from "../../app/models/risk-sharing/reconcile.server";
import { reconcileServicing } from "../../app/models/servicing/loan.server";
import { verifyLogin } from "../../app/utils/auth.server";
import { DEMO_PASSWORD, seedDemo } from "../../db/seed";
import { DEMO_LPR, RISK_PARTIES } from "../../db/seed-risk";
import { printLogins } from "../../scripts/logins";
import { testDbKind, useTestDb } from "../support/db";

describe(`the demo's risk sharing (${testDbKind()})`, () => {
  const t = useTestDb();

  it("seeds pools, claims, a disposal and subsidies in every state, with no drift", async () => {
    const logins = await seedDemo(t.db);

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
});
