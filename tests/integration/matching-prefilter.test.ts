/**
 * Property test: the SQL paths of app/models/matching.server.ts return exactly what the pure
 * engine returns when it is given every product (firm direction) or every open request (bank
 * direction), on generated data full of boundary cases (expiry on the threshold day, appraisals
 * valid until today, amounts equal to the capacity, quotas one fen short, assets held by pledge
 * locks taken and released after the requests were written…).
 */
import { describe, expect, it } from "vitest";
import type { Insertable } from "kysely";
import type { IpAssetsTable, IpType, LoanProduct } from "../../db/schema";
import { addDays, addYearsClamped } from "../../app/domain/ip";
import { FIRM_FLAGS, INDUSTRY_CODES } from "../../app/domain/industry";
import {
  evaluateProduct,
  matchProductToRequests,
  matchRequest,
  type MatchCandidate,
} from "../../app/domain/matching";
import {
  PLEDGE_IP_TYPES,
  validateProductTerms,
  type LoanProductTerms,
} from "../../app/domain/product";
import { REGION_CODES } from "../../app/domain/regions";
import {
  countRequestsForProduct,
  countRequestsForProducts,
  countRequestStatesForProducts,
  findMatchesForRequest,
  findRequestStatesForProduct,
  findRequestsForProduct,
  loadRequestsForEngine,
} from "../../app/models/matching.server";
import {
  expiryThreshold,
  productTermColumns,
  productTermsFromRow,
  registrationThreshold,
} from "../../app/domain/matching/rows";
import { createRequest, refreshRequestCollateralBounds } from "../../app/models/request.server";
import { nowInstant } from "../../app/utils/time";
import { useTestDb, type TestDb } from "../support/db";

const TODAY = "2026-11-27";
/** A later check day on 29 February, where "+ N years" lands on 28 February of a common year. */
const LEAP_DAY = "2028-02-29";

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(readonly rand: () => number) {}
  int(lo: number, hi: number) {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)];
  }
  chance(p: number) {
    return this.rand() < p;
  }
  subset<T>(xs: readonly T[], p: number): T[] {
    return xs.filter(() => this.chance(p));
  }
}

const WAN = 1_000_000; // fen per 万元

/**
 * A date near one of the thresholds the products use, on TODAY or on LEAP_DAY, so boundaries are
 * hit exactly (a five-year threshold across one 29 February is 1826 days, not 1827).
 */
function expiryNear(g: Gen, dayGen: Gen): string {
  const years = g.pick([0, 1, 3, 5, 8]);
  const base = expiryThreshold(dayGen.chance(0.7) ? TODAY : LEAP_DAY, years);
  return g.chance(0.5) ? addDays(base, g.pick([-1, 0, 1])) : addDays(TODAY, g.int(-200, 7000));
}

async function seedWorld(t: TestDb, seed: number) {
  const g = new Gen(prng(seed));
  // A stream of its own, so the leap-day thresholds leave the rest of the world as it was.
  const dayGen = new Gen(prng(seed + 1000));
  // And one for the pledge locks, likewise.
  const lockGen = new Gen(prng(seed + 2000));
  const db = t.db;
  const now = nowInstant();
  const bankIds: number[] = [];
  for (let b = 0; b < 3; b++) {
    const res = await db
      .insertInto("organisations")
      .values({ kind: "bank", name: `银行${seed}-${b}`, created_at: now })
      .executeTakeFirstOrThrow();
    bankIds.push(Number(res.insertId));
  }
  const firmIds: number[] = [];
  for (let f = 0; f < 14; f++) {
    const res = await db
      .insertInto("organisations")
      .values({
        kind: "firm",
        name: `企业${seed}-${f}`,
        region_code: f === 13 ? null : g.pick(REGION_CODES.slice(0, 4)),
        industry_section: g.pick(["A", "C", "I", "M"]),
        flag_high_tech: g.chance(0.5) ? 1 : 0,
        flag_specialised: g.chance(0.3) ? 1 : 0,
        flag_tech_sme: g.chance(0.5) ? 1 : 0,
        created_at: now,
      })
      .executeTakeFirstOrThrow();
    firmIds.push(Number(res.insertId));
  }

  const assetsByFirm = new Map<number, number[]>();
  let serial = 0;
  for (const firm of firmIds) {
    const ids: number[] = [];
    const n = g.int(0, 6);
    for (let i = 0; i < n; i++) {
      const ipType: IpType = g.pick(PLEDGE_IP_TYPES);
      const tm = ipType === "trademark";
      const good = tm ? "registered" : "granted";
      const status = g.chance(0.8)
        ? good
        : g.pick(tm ? ["expired", "cancelled"] : ["pending", "lapsed", "invalidated"]);
      const hasFormal = g.chance(0.65);
      const regAgeYears = g.pick([0, 1, 3]);
      const res = await db
        .insertInto("ip_assets")
        .values({
          firm_org_id: firm,
          asset_kind: tm ? "trademark" : "patent",
          ip_type: ipType,
          number: `N${seed}-${serial++}`,
          title: `资产${serial}`,
          status,
          filing_date: tm ? null : "2015-03-01",
          registration_date: tm
            ? g.chance(0.1)
              ? null
              : addDays(
                  registrationThreshold(dayGen.chance(0.7) ? TODAY : LEAP_DAY, regAgeYears),
                  g.pick([-1, 0, 1, 400]),
                )
            : null,
          expiry_date: expiryNear(g, dayGen),
          formal_value_fen: hasFormal ? g.int(20, 400) * 10 * WAN + g.int(0, 9999) : null,
          formal_valid_until: hasFormal
            ? g.chance(0.1)
              ? null
              : addDays(TODAY, g.pick([-1, 0, 1, 200]))
            : null,
          indicative_value_fen: g.chance(0.8) ? g.int(20, 400) * 10 * WAN + g.int(0, 9999) : null,
          created_at: now,
          updated_at: now,
        })
        .executeTakeFirstOrThrow();
      ids.push(Number(res.insertId));
    }
    assetsByFirm.set(firm, ids);
  }

  // Requests through the model (its collateral summary is what is under test), plus a request
  // without assets and closed ones written directly.
  const requestIds: number[] = [];
  for (const firm of firmIds) {
    const assets = assetsByFirm.get(firm) ?? [];
    const n = g.int(1, 4);
    for (let i = 0; i < n; i++) {
      if (assets.length === 0) break;
      let offered = g.subset(assets, 0.7);
      if (offered.length === 0) offered = [assets[0]];
      const id = await createRequest(db, {
        firmOrgId: firm,
        userId: 1,
        today: TODAY,
        input: {
          amountFen: g.pick([50, 100, 200, 300, 500, 800, 1200]) * WAN + g.pick([0, 0, 1, -1]),
          termMonths: g.pick([3, 6, 12, 24, 36, 48]),
          maxRateBp: g.pick([350, 400, 450, 520, 600]),
          purpose: "采购设备",
          assetIds: offered,
        },
      });
      requestIds.push(id);
    }
  }
  for (const r of requestIds.filter(() => g.chance(0.1))) {
    await db
      .updateTable("financing_requests")
      .set({ status: "closed" })
      .where("id", "=", r)
      .execute();
  }

  // Some assets are held by a pledge lock (another loan's, or the firm's own approved one), taken
  // after the requests were written: the engine never counts them as collateral, and no stored
  // summary knows about the locks.
  await lockSome(t, lockGen, 0.2);

  const productIds: number[] = [];
  for (let p = 0; p < 45; p++) {
    let terms: LoanProductTerms;
    do {
      const accepted = g.subset(PLEDGE_IP_TYPES, 0.6);
      const minAmount = g.pick([10, 50, 100, 300]) * WAN;
      const minRate = g.pick([345, 385, 420, 480, 550]);
      const minTerm = g.pick([1, 6, 12]);
      terms = {
        id: 0,
        bankOrgId: 0,
        name: `产品${p}`,
        minAmountFen: minAmount,
        maxAmountFen: minAmount * g.pick([1, 5, 10, 20]),
        minTermMonths: minTerm,
        maxTermMonths: minTerm + g.pick([0, 12, 24, 36]),
        minRateBp: minRate,
        maxRateBp: minRate + g.pick([0, 100, 150]),
        pledgeRateBp: {
          invention: accepted.includes("invention")
            ? g.pick([2500, 3000, 4000])
            : g.pick([0, 1000]),
          utility_model: accepted.includes("utility_model") ? g.pick([1500, 2000, 2500]) : 0,
          design: accepted.includes("design") ? g.pick([1000, 1500]) : 0,
          trademark: accepted.includes("trademark") ? g.pick([3000, 5000]) : 0,
        },
        acceptedIpTypes: accepted,
        minRemainingYears: {
          invention: g.pick([0, 3, 5, 8]),
          utility_model: g.pick([0, 1, 3]),
          design: g.pick([0, 1, 3]),
          trademark: g.pick([0, 1]),
        },
        trademarkMinAgeYears: g.pick([0, 1, 3]),
        regions: g.chance(0.5) ? "all" : g.subset(REGION_CODES.slice(0, 5), 0.5),
        industries: g.chance(0.6) ? "all" : g.subset(INDUSTRY_CODES.slice(0, 13), 0.5),
        requiredFlags: g.chance(0.6) ? [] : g.subset(FIRM_FLAGS, 0.4),
        requiresFormalAppraisal: g.chance(0.6),
        quotaTotalFen: 100_000 * WAN,
        quotaRemainingFen: g.chance(0.8) ? 100_000 * WAN : g.pick([100, 500]) * WAN - 1,
        riskShare: {
          governmentBp: g.pick([0, 2000, 4000]),
          insurerBp: g.pick([0, 1000]),
          guarantorBp: g.pick([0, 3000]),
        },
        interestSubsidyBp: g.pick([0, 2000, 5000]),
        active: g.chance(0.9),
      };
    } while (validateProductTerms(terms).length > 0);
    const res = await db
      .insertInto("loan_products")
      .values({
        bank_org_id: g.pick(bankIds),
        name: terms.name,
        description: "",
        ...productTermColumns(terms),
        created_by: 1,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    productIds.push(Number(res.insertId));
  }
  return { g, lockGen, firmIds, requestIds, productIds, assetsByFirm };
}

/** An application id no real application has: the lock rows only need to exist. */
let lockHolder = 900_000;

/** Locks a share `p` of the free assets and releases a share `release` of the locked ones. */
async function lockSome(t: TestDb, g: Gen, p: number, release = 0) {
  const assets = await t.db
    .selectFrom("ip_assets as a")
    .leftJoin("pledge_locks as l", "l.asset_id", "a.id")
    .select(["a.id", "l.asset_id as locked"])
    .orderBy("a.id")
    .execute();
  for (const a of assets) {
    if (a.locked === null && g.chance(p)) {
      await t.db
        .insertInto("pledge_locks")
        .values({ asset_id: a.id, application_id: lockHolder++, locked_at: nowInstant() })
        .execute();
    } else if (a.locked !== null && g.chance(release)) {
      await t.db.deleteFrom("pledge_locks").where("asset_id", "=", a.id).execute();
    }
  }
}

async function allProducts(t: TestDb): Promise<LoanProduct[]> {
  return t.db.selectFrom("loan_products").selectAll().orderBy("id").execute();
}

async function openRequestIds(t: TestDb): Promise<number[]> {
  const rows = await t.db
    .selectFrom("financing_requests")
    .select("id")
    .where("status", "=", "open")
    .orderBy("id")
    .execute();
  return rows.map((r) => r.id);
}

/** Firm direction: SQL prefilter + engine vs the engine over every product. */
async function checkRequests(t: TestDb, day = TODAY) {
  const products = (await allProducts(t)).map(productTermsFromRow);
  const loaded = await loadRequestsForEngine(t.db, await openRequestIds(t), day);
  let matches = 0;
  let nearMisses = 0;
  let pledged = 0;
  for (const l of loaded) {
    const expected = matchRequest(l.request, l.firm, l.assets, products, day);
    for (const e of [...expected.matches, ...expected.nearMisses]) {
      if ([...e.failures, ...e.notes].some((f) => f.code === "asset_pledged")) pledged++;
    }
    // Both classifications: the in-process product table and the SQL one.
    const viaSql = await findMatchesForRequest(t.db, l.request.id, day, { useCache: false });
    expect(viaSql!.matches, `SQL matches of request ${l.request.id}`).toEqual(expected.matches);
    expect(viaSql!.nearMisses).toEqual(expected.nearMisses);
    expect(viaSql!.nearMissCount).toBe(expected.nearMisses.length);
    const got = await findMatchesForRequest(t.db, l.request.id, day, { useCache: true });
    expect(got, `request ${l.request.id}`).not.toBeNull();
    expect(got!.matches, `matches of request ${l.request.id}`).toEqual(expected.matches);
    expect(got!.nearMisses, `near misses of request ${l.request.id}`).toEqual(expected.nearMisses);
    expect(got!.matchCount).toBe(expected.matches.length);
    expect(got!.nearMissCount).toBe(expected.nearMisses.length);
    // A page in the middle is the same slice of the engine's order.
    for (const useCache of [true, false]) {
      const page = await findMatchesForRequest(t.db, l.request.id, day, {
        useCache,
        matchOffset: 1,
        matchLimit: 2,
        nearMissOffset: 2,
        nearMissLimit: 3,
      });
      expect(page!.matches).toEqual(expected.matches.slice(1, 3));
      expect(page!.nearMisses).toEqual(expected.nearMisses.slice(2, 5));
    }
    matches += expected.matches.length;
    nearMisses += expected.nearMisses.length;
  }
  return { requests: loaded.length, matches, nearMisses, pledged };
}

/** Bank direction: paged SQL path vs the engine over every open request. */
async function checkProducts(t: TestDb, day = TODAY) {
  const products = await allProducts(t);
  const loaded = await loadRequestsForEngine(t.db, await openRequestIds(t), day);
  const candidates: MatchCandidate[] = loaded.map((l) => ({
    request: l.request,
    firm: l.firm,
    assets: l.assets,
  }));
  let total = 0;
  // The bank pipeline's one-statement count of a page of products (every product at once here).
  const batched = await countRequestsForProducts(
    t.db,
    products.map((p) => p.id),
    day,
  );
  for (const row of products) {
    const terms = productTermsFromRow(row);
    const expected = matchProductToRequests(terms, candidates, day);
    const expectedIds = expected.matches.map((m) => m.requestId);

    const all = await findRequestsForProduct(t.db, row.id, { pageSize: 1000 }, day);
    expect(all!.total, `total of product ${row.id}`).toBe(expectedIds.length);
    expect(
      all!.rows.map((r) => r.requestId),
      `order of product ${row.id}`,
    ).toEqual(expectedIds);
    expect(all!.rows.map((r) => r.evaluation)).toEqual(expected.matches.map((m) => m.evaluation));
    expect(await countRequestsForProduct(t.db, row.id, day)).toBe(expectedIds.length);
    expect(batched.get(row.id), `batched count of product ${row.id}`).toBe(expectedIds.length);

    // Small pages exercise the "which requests can still reach this page" pruning.
    const paged: number[] = [];
    for (let page = 1; ; page++) {
      const res = await findRequestsForProduct(t.db, row.id, { page, pageSize: 3 }, day);
      expect(res!.total).toBe(expectedIds.length);
      if (res!.rows.length === 0) break;
      paged.push(...res!.rows.map((r) => r.requestId));
    }
    expect(paged, `pages of product ${row.id}`).toEqual(expectedIds);
    total += expectedIds.length;
  }
  return { products: products.length, matches: total };
}

/**
 * Bank direction by state: the SQL prefilter of findRequestStatesForProduct never drops a request
 * the engine would put in any state but not_suitable, and each listed request carries the
 * engine's state. Returns how many requests were in each state, to show the data are not vacuous.
 */
async function checkProductStates(t: TestDb, day = TODAY) {
  const products = await allProducts(t);
  const loaded = await loadRequestsForEngine(t.db, await openRequestIds(t), day);
  const seen = { ready: 0, needs_appraisal: 0, near_miss: 0 };
  // The bank pipeline's one-pass count of a page of products (every product at once here).
  const batched = await countRequestStatesForProducts(
    t.db,
    products.map((p) => p.id),
    day,
  );
  for (const row of products) {
    const terms = productTermsFromRow(row);
    const expected = terms.active
      ? loaded
          .map((l) => ({
            id: l.request.id,
            state: evaluateProduct(l.request, l.firm, l.assets, terms, day).state,
          }))
          .filter((x) => x.state !== "not_suitable")
      : [];
    const got = await findRequestStatesForProduct(t.db, row.id, { pageSize: 100_000 }, day);
    const sortById = (xs: Array<{ id: number; state: string }>) =>
      [...xs].sort((a, b) => a.id - b.id);
    expect(
      sortById(got!.rows.map((r) => ({ id: r.requestId, state: r.state }))),
      `states of product ${row.id} on ${day}`,
    ).toEqual(sortById(expected));
    for (const x of expected) seen[x.state as keyof typeof seen]++;
    expect(got!.counts).toEqual({
      ready: expected.filter((x) => x.state === "ready").length,
      needs_appraisal: expected.filter((x) => x.state === "needs_appraisal").length,
      near_miss: expected.filter((x) => x.state === "near_miss").length,
    });
    expect(batched.get(row.id), `batched state counts of product ${row.id} on ${day}`).toEqual(
      got!.counts,
    );
  }
  return seen;
}

describe("matching prefilter equals the pure engine", () => {
  const t = useTestDb();

  for (const seed of [11, 29]) {
    it(`on generated data (seed ${seed}), then after asset changes`, async () => {
      const world = await seedWorld(t, seed);
      const firm = await checkRequests(t);
      const bank = await checkProducts(t);
      const states = await checkProductStates(t);
      expect(states.ready).toBeGreaterThan(0);
      expect(states.needs_appraisal).toBeGreaterThan(0);
      expect(states.near_miss).toBeGreaterThan(0);
      // Not vacuous: the data produce matches and near misses in both directions.
      expect(firm.matches).toBeGreaterThan(5);
      expect(firm.nearMisses).toBeGreaterThan(5);
      expect(bank.matches).toBeGreaterThan(5);
      // Pledged assets count: as a near miss's failure, or a note beside other collateral.
      expect(firm.pledged).toBeGreaterThan(5);

      // Appraisals signed, estimates changed, rights lapsed: refreshed as colleagues must.
      const { g } = world;
      const assets = await t.db.selectFrom("ip_assets").select(["id", "ip_type"]).execute();
      for (const a of assets.filter(() => g.chance(0.3))) {
        await t.db.transaction().execute(async (trx) => {
          const change = g.int(0, 3);
          await trx
            .updateTable("ip_assets")
            .set(
              change === 0
                ? {
                    formal_value_fen: g.int(50, 600) * WAN,
                    formal_valid_until: addYearsClamped(TODAY, 1),
                  }
                : change === 1
                  ? { indicative_value_fen: g.int(10, 900) * WAN }
                  : change === 2
                    ? { status: a.ip_type === "trademark" ? "expired" : "lapsed" }
                    : { formal_valid_until: addDays(TODAY, -1) },
            )
            .where("id", "=", a.id)
            .execute();
          await refreshRequestCollateralBounds(trx, a.id, TODAY);
        });
      }
      await checkRequests(t);
      await checkProducts(t);
      await checkProductStates(t);
      // Pledges taken and released (approvals, repayments, sales, releases): nothing to refresh.
      await lockSome(t, world.lockGen, 0.15, 0.4);
      await checkRequests(t);
      await checkProducts(t);
      await checkProductStates(t);
      // Product edits, pauses and quota changes (as the workflow makes them, bumping the version)
      // must reach the in-process product table at once.
      const some = (await allProducts(t)).filter(() => g.chance(0.3));
      for (const p of some) {
        const change = g.int(0, 2);
        await t.db
          .updateTable("loan_products")
          .set((eb) => ({
            version: eb("version", "+", 1),
            ...(change === 0
              ? { active: p.active ? 0 : 1 }
              : change === 1
                ? { quota_remaining_fen: g.pick([0, 100 * WAN, 100_000 * WAN]) }
                : { min_rate_bp: g.pick([345, 600]), max_rate_bp: 700 }),
          }))
          .where("id", "=", p.id)
          .execute();
      }
      await checkRequests(t);
      await checkProducts(t);
      // Months later, without any refresh: appraisals and rights have expired meanwhile, and the
      // stored summaries must still never exclude a match.
      for (const later of [addDays(TODAY, 200), LEAP_DAY, addDays(TODAY, 800)]) {
        await checkRequests(t, later);
        await checkProducts(t, later);
        await checkProductStates(t, later);
      }

      // The next seed starts from an empty marketplace.
      for (const table of [
        "pledge_locks",
        "financing_request_assets",
        "financing_requests",
        "loan_products",
        "ip_assets",
        "organisations",
      ] as const) {
        await t.db.deleteFrom(table).execute();
      }
    });
  }
});

describe("matching prefilter on hand-built boundaries", () => {
  const t = useTestDb();

  it("rounds each asset's capacity down, as the engine does (one fen short is no match)", async () => {
    const now = nowInstant();
    const bank = await t.db
      .insertInto("organisations")
      .values({ kind: "bank", name: "边界银行", created_at: now })
      .executeTakeFirstOrThrow();
    const firm = await t.db
      .insertInto("organisations")
      .values({
        kind: "firm",
        name: "边界企业",
        region_code: "150100",
        industry_section: "C",
        created_at: now,
      })
      .executeTakeFirstOrThrow();
    const firmId = Number(firm.insertId);
    // 30002 × 33.33% = 9999.67 → 9999 per asset: the pair lends 19998, not 19999.
    const assetIds: number[] = [];
    for (const n of [1, 2]) {
      const res = await t.db
        .insertInto("ip_assets")
        .values({
          firm_org_id: firmId,
          asset_kind: "patent",
          ip_type: "invention",
          number: `B${n}`,
          title: `边界专利${n}`,
          status: "granted",
          expiry_date: "2040-01-01",
          formal_value_fen: 30_002,
          formal_valid_until: "2027-06-30",
          created_at: now,
          updated_at: now,
        })
        .executeTakeFirstOrThrow();
      assetIds.push(Number(res.insertId));
    }
    const terms: LoanProductTerms = {
      id: 0,
      bankOrgId: 0,
      name: "边界产品",
      minAmountFen: 1,
      maxAmountFen: 1_000_000,
      minTermMonths: 1,
      maxTermMonths: 36,
      minRateBp: 400,
      maxRateBp: 500,
      pledgeRateBp: { invention: 3333, utility_model: 0, design: 0, trademark: 0 },
      acceptedIpTypes: ["invention"],
      minRemainingYears: { invention: 5, utility_model: 0, design: 0, trademark: 0 },
      trademarkMinAgeYears: 0,
      regions: "all",
      industries: "all",
      requiredFlags: [],
      requiresFormalAppraisal: true,
      quotaTotalFen: 1_000_000,
      quotaRemainingFen: 1_000_000,
      riskShare: { governmentBp: 0, insurerBp: 0, guarantorBp: 0 },
      interestSubsidyBp: 0,
      active: true,
    };
    expect(validateProductTerms(terms)).toEqual([]);
    const product = await t.db
      .insertInto("loan_products")
      .values({
        bank_org_id: Number(bank.insertId),
        name: terms.name,
        description: "",
        ...productTermColumns(terms),
        created_by: 1,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    const productId = Number(product.insertId);
    const request = (amountFen: number) =>
      createRequest(t.db, {
        today: TODAY,
        firmOrgId: firmId,
        userId: 1,
        input: { amountFen, termMonths: 12, maxRateBp: 450, purpose: "边界", assetIds },
      });
    const fits = await request(19_998);
    const short = await request(19_999);

    const res = await findRequestsForProduct(t.db, productId, {}, TODAY);
    expect(res!.rows.map((r) => r.requestId)).toEqual([fits]);
    expect(res!.total).toBe(1);
    for (const useCache of [true, false]) {
      const firmSide = await findMatchesForRequest(t.db, short, TODAY, { useCache });
      expect(firmSide!.matches).toEqual([]);
      expect(firmSide!.nearMisses.map((e) => e.failures.map((f) => f.code))).toEqual([
        ["capacity_short"],
      ]);
    }

    // An asset whose appraisal expired yesterday: one rule fails (a new appraisal is needed) as
    // long as its last formal value would still cover the amount — to the fen.
    const stale = await t.db
      .insertInto("ip_assets")
      .values({
        firm_org_id: firmId,
        asset_kind: "patent",
        ip_type: "invention",
        number: "B3",
        title: "过期评估的专利",
        status: "granted",
        expiry_date: "2040-01-01",
        formal_value_fen: 30_002,
        formal_valid_until: "2026-11-26",
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    const staleRequest = (amountFen: number) =>
      createRequest(t.db, {
        today: TODAY,
        firmOrgId: firmId,
        userId: 1,
        input: {
          amountFen,
          termMonths: 12,
          maxRateBp: 450,
          purpose: "边界",
          assetIds: [Number(stale.insertId)],
        },
      });
    const covered = await staleRequest(9_999);
    const uncovered = await staleRequest(10_000);
    for (const useCache of [true, false]) {
      const near = await findMatchesForRequest(t.db, covered, TODAY, { useCache });
      expect(near!.nearMisses.map((e) => e.failures.map((f) => f.code))).toEqual([
        ["formal_appraisal_needed"],
      ]);
      const none = await findMatchesForRequest(t.db, uncovered, TODAY, { useCache });
      expect([none!.matchCount, none!.nearMissCount]).toEqual([0, 0]);
    }
  });
});

/**
 * One product and one firm whose requests each offer one asset dated `date` (an expiry or a
 * registration date), checked on each day in both directions: the engine's verdict through the
 * firm's SQL and in-memory classifications and through the bank's pipeline, count and states.
 * Other products and requests in the database are left out of the comparison.
 */
async function calendarCase(
  t: TestDb,
  c: {
    name: string;
    terms: Partial<LoanProductTerms>;
    asset: (
      date: string,
    ) => Omit<Insertable<IpAssetsTable>, "firm_org_id" | "created_at" | "updated_at">;
    dates: string[];
    /** Per day, the dates whose request matches; every other one misses by `failure` alone. */
    matchOn: Record<string, string[]>;
    failure: string;
  },
) {
  const now = nowInstant();
  const bank = await t.db
    .insertInto("organisations")
    .values({ kind: "bank", name: `${c.name}银行`, created_at: now })
    .executeTakeFirstOrThrow();
  const firm = await t.db
    .insertInto("organisations")
    .values({
      kind: "firm",
      name: `${c.name}企业`,
      region_code: "150100",
      industry_section: "C",
      created_at: now,
    })
    .executeTakeFirstOrThrow();
  const firmId = Number(firm.insertId);
  const terms: LoanProductTerms = {
    id: 0,
    bankOrgId: 0,
    name: c.name,
    minAmountFen: 1,
    maxAmountFen: 1_000_000,
    minTermMonths: 1,
    maxTermMonths: 36,
    minRateBp: 400,
    maxRateBp: 500,
    pledgeRateBp: { invention: 0, utility_model: 0, design: 0, trademark: 0 },
    acceptedIpTypes: [],
    minRemainingYears: { invention: 0, utility_model: 0, design: 0, trademark: 0 },
    trademarkMinAgeYears: 0,
    regions: "all",
    industries: "all",
    requiredFlags: [],
    requiresFormalAppraisal: true,
    quotaTotalFen: 1_000_000,
    quotaRemainingFen: 1_000_000,
    riskShare: { governmentBp: 0, insurerBp: 0, guarantorBp: 0 },
    interestSubsidyBp: 0,
    active: true,
    ...c.terms,
  };
  expect(validateProductTerms(terms)).toEqual([]);
  const product = await t.db
    .insertInto("loan_products")
    .values({
      bank_org_id: Number(bank.insertId),
      name: terms.name,
      description: "",
      ...productTermColumns(terms),
      created_by: 1,
      created_at: now,
      updated_at: now,
    })
    .executeTakeFirstOrThrow();
  const productId = Number(product.insertId);
  const requestOf = new Map<string, number>();
  for (const date of c.dates) {
    const asset = await t.db
      .insertInto("ip_assets")
      .values({ ...c.asset(date), firm_org_id: firmId, created_at: now, updated_at: now })
      .executeTakeFirstOrThrow();
    const id = await createRequest(t.db, {
      today: TODAY,
      firmOrgId: firmId,
      userId: 1,
      input: {
        amountFen: 100_000,
        termMonths: 12,
        maxRateBp: 450,
        purpose: "历法",
        assetIds: [Number(asset.insertId)],
      },
    });
    requestOf.set(date, id);
  }
  const ours = new Set(requestOf.values());
  for (const [day, matching] of Object.entries(c.matchOn)) {
    for (const [date, id] of requestOf) {
      const matched = matching.includes(date);
      for (const useCache of [true, false]) {
        const got = await findMatchesForRequest(t.db, id, day, { useCache });
        const here = <T extends { productId: number }>(es: T[]) =>
          es.filter((e) => e.productId === productId);
        expect(here(got!.matches).length, `${date} on ${day}`).toBe(matched ? 1 : 0);
        expect(
          here(got!.nearMisses).map((e) => e.failures.map((f) => f.code)),
          `${date} on ${day}`,
        ).toEqual(matched ? [] : [[c.failure]]);
      }
    }
    const want = matching.map((date) => requestOf.get(date)!).sort((x, y) => x - y);
    const bankSide = await findRequestsForProduct(t.db, productId, { pageSize: 100 }, day);
    expect(
      bankSide!.rows
        .map((r) => r.requestId)
        .filter((id) => ours.has(id))
        .sort((x, y) => x - y),
      `matches on ${day}`,
    ).toEqual(want);
    const states = await findRequestStatesForProduct(t.db, productId, { pageSize: 100 }, day);
    expect(
      states!.rows
        .filter((r) => ours.has(r.requestId))
        .map((r) => [r.requestId, r.state])
        .sort((x, y) => Number(x[0]) - Number(y[0])),
      `states on ${day}`,
    ).toEqual(
      [...ours].sort((x, y) => x - y).map((id) => [id, want.includes(id) ? "ready" : "near_miss"]),
    );
  }
}

describe("matching prefilter on calendar years (docs/domain.md#years-left)", () => {
  const t = useTestDb();

  it("keeps a request with exactly five calendar years left across a 29 February, both ways", async () => {
    // 2026-11-27 + 5 years = 2031-11-27 (1826 days); 2028-02-29 + 5 years = 2033-02-28.
    await calendarCase(t, {
      name: "五年期限产品",
      terms: {
        acceptedIpTypes: ["invention"],
        pledgeRateBp: { invention: 5000, utility_model: 0, design: 0, trademark: 0 },
        minRemainingYears: { invention: 5, utility_model: 0, design: 0, trademark: 0 },
      },
      asset: (expiry) => ({
        asset_kind: "patent",
        ip_type: "invention",
        number: `Y${expiry}`,
        title: `止于${expiry}的专利`,
        status: "granted",
        expiry_date: expiry,
        formal_value_fen: 1_000_000,
        formal_valid_until: "2034-12-31",
      }),
      dates: ["2031-11-27", "2031-11-26", "2033-02-28", "2033-02-27"],
      matchOn: {
        [TODAY]: ["2031-11-27", "2033-02-28", "2033-02-27"],
        [LEAP_DAY]: ["2033-02-28"],
      },
      failure: "remaining_protection",
    });
  });

  it("counts a trademark's age in calendar years, 29 February → 28 February", async () => {
    // 2025-11-27 → 2026-11-27 is 365 days = 0.9993 average years, and so is 2028-02-29 →
    // 2029-02-28 (29 February + 1 year = 28 February).
    await calendarCase(t, {
      name: "商标注册一年产品",
      terms: {
        acceptedIpTypes: ["trademark"],
        pledgeRateBp: { invention: 0, utility_model: 0, design: 0, trademark: 5000 },
        trademarkMinAgeYears: 1,
      },
      asset: (registered) => ({
        asset_kind: "trademark",
        ip_type: "trademark",
        number: `R${registered.replaceAll("-", "")}`,
        title: `注册于${registered}的商标`,
        status: "registered",
        registration_date: registered,
        expiry_date: "2035-01-01",
        formal_value_fen: 1_000_000,
        formal_valid_until: "2034-12-31",
      }),
      dates: ["2025-11-27", "2025-11-28", "2028-02-29", "2028-03-01"],
      matchOn: {
        [TODAY]: ["2025-11-27"],
        "2029-02-28": ["2025-11-27", "2025-11-28", "2028-02-29"],
      },
      failure: "trademark_age",
    });
  });
});
