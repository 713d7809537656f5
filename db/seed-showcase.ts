import { evaluateProduct, type MatchState } from "../app/domain/matching";
import {
  firmProfileFromRequest,
  offeredAssetFromRow,
  productTermsFromRow,
  requestFirmColumns,
} from "../app/domain/matching/rows";
import { findProductStatesForRequest } from "../app/models/match-states.server";
import { addMonthsClamped } from "../app/domain/ip";
import { makePatentNumber, statutoryExpiry } from "../app/domain/patent";
import { createAsset } from "../app/models/asset.server";
import { createRequest, listOfferableAssets } from "../app/models/request.server";
import type { Db } from "../app/utils/db.server";
import { todayInChina } from "../app/utils/time";
import type { ExtraSeeder } from "./seed";

/**
 * The demo's first impression (issue 10): each of firm01–firm05 has an open financing request
 * with at least one product it can apply to today (可直接申请, on its formal values) and one it
 * can reach with a formal appraisal (需正式评估). Runs last, after the deal history has created
 * its products and locked its pledges, so the states are those the match page shows. A firm whose
 * open requests already show both keeps them; otherwise the amount and term are chosen by the
 * real engine (evaluateProduct) over the firm's assets in force and every active product.
 */

const WAN = 1_000_000;
export const SHOWCASE_FIRMS = [1, 2, 3, 4, 5].map((n) => `firm0${n}@firms.demo`);
const TERMS = [24, 12, 36, 18];
const MAX_RATE_BP = 600;

/** True when the states include at least one ready and one subject-to-appraisal product. */
export function showsBothStates(groups: Record<MatchState, readonly unknown[]>): boolean {
  return groups.ready.length > 0 && groups.needs_appraisal.length > 0;
}

export const seedShowcaseRequests: ExtraSeeder = async (db, { log }) => {
  const today = todayInChina();
  const productRows = await db
    .selectFrom("loan_products")
    .selectAll()
    .where("active", "=", 1)
    .orderBy("id")
    .execute();
  const products = productRows.map(productTermsFromRow);
  let created = 0;
  const missing: string[] = [];
  for (const email of SHOWCASE_FIRMS) {
    const user = await db
      .selectFrom("users")
      .select(["id", "org_id"])
      .where("email", "=", email)
      .executeTakeFirst();
    if (!user) continue;
    if (await hasShowcaseRequest(db, user.org_id, today)) continue;
    let pick = await chooseRequest(db, user.org_id, products, today);
    if (!pick) {
      // Every asset in force is already formally appraised (or too small): list one more
      // granted invention patent with only an indicative value, the asset a firm would appraise.
      await addUnappraisedPatent(db, user, today);
      pick = await chooseRequest(db, user.org_id, products, today);
    }
    if (!pick) {
      missing.push(email);
      continue;
    }
    await createRequest(db, {
      firmOrgId: user.org_id,
      userId: user.id,
      input: {
        amountFen: pick.amountFen,
        termMonths: pick.termMonths,
        maxRateBp: MAX_RATE_BP,
        purpose: "购置研发设备与补充流动资金",
        assetIds: pick.assetIds,
      },
    });
    created++;
  }
  log(
    `showcase: ${created} open request(s) with a ready and a subject-to-appraisal product` +
      (missing.length ? `; none possible for ${missing.join(", ")}` : ""),
  );
};

async function hasShowcaseRequest(db: Db, orgId: number, today: string): Promise<boolean> {
  const open = await db
    .selectFrom("financing_requests")
    .select("id")
    .where("firm_org_id", "=", orgId)
    .where("status", "=", "open")
    .execute();
  for (const r of open) {
    const states = await findProductStatesForRequest(db, r.id, today);
    if (states && showsBothStates(states.groups)) return true;
  }
  return false;
}

/** The amount (whole 10万元) and term that show the most ready and subject-to-appraisal products. */
async function chooseRequest(
  db: Db,
  orgId: number,
  products: ReturnType<typeof productTermsFromRow>[],
  today: string,
): Promise<{ amountFen: number; termMonths: number; assetIds: number[] } | null> {
  // Assets pledged in the deal history are locked to their loans: a new request offers the rest.
  const locked = new Set(
    (
      await db
        .selectFrom("pledge_locks as l")
        .innerJoin("ip_assets as a", "a.id", "l.asset_id")
        .select("l.asset_id")
        .where("a.firm_org_id", "=", orgId)
        .execute()
    ).map((r) => Number(r.asset_id)),
  );
  const assets = (await listOfferableAssets(db, orgId, today)).filter(
    (a) => a.inForce && !locked.has(a.id),
  );
  if (assets.length === 0) return null;
  const org = await db
    .selectFrom("organisations")
    .selectAll()
    .where("id", "=", orgId)
    .executeTakeFirstOrThrow();
  const assetIds = assets.map((a) => a.id);
  const offered = assets.map((a) => offeredAssetFromRow(a, today));
  const stub = (amountFen: number, termMonths: number) => ({
    id: 0,
    firmOrgId: orgId,
    amountFen,
    termMonths,
    maxRateBp: MAX_RATE_BP,
    offeredAssetIds: assetIds,
  });
  const profile = firmProfileFromRequest({
    ...requestFirmColumns(org),
    id: 0,
    firm_org_id: orgId,
    amount_fen: 1,
    term_months: 24,
    max_rate_bp: MAX_RATE_BP,
  });
  // Candidate amounts: every product's capacity for these assets (on formal and on indicative
  // values), and fractions of it, rounded down to 10万元.
  const caps = new Set<number>();
  for (const p of products) {
    const e = evaluateProduct(stub(1, 24), profile, offered, p, today);
    const loose = evaluateProduct(
      stub(1, 24),
      profile,
      offered,
      {
        ...p,
        requiresFormalAppraisal: false,
      },
      today,
    );
    for (const c of [e.capacityFen, loose.capacityFen]) {
      for (const f of [1, 0.9, 0.75, 0.6, 0.5, 0.4, 0.3, 0.2]) {
        const v = Math.floor((c * f) / (10 * WAN)) * 10 * WAN;
        if (v >= 10 * WAN) caps.add(v);
      }
    }
  }
  let best: { amountFen: number; termMonths: number; score: number } | null = null;
  for (const termMonths of TERMS) {
    for (const amountFen of [...caps].sort((a, b) => a - b)) {
      let ready = 0;
      let appraisal = 0;
      for (const p of products) {
        const s = evaluateProduct(stub(amountFen, termMonths), profile, offered, p, today).state;
        if (s === "ready") ready++;
        else if (s === "needs_appraisal") appraisal++;
      }
      if (ready === 0 || appraisal === 0) continue;
      const score = Math.min(ready, appraisal) * 100 + ready + appraisal;
      if (!best || score > best.score) best = { amountFen, termMonths, score };
    }
  }
  return best ? { amountFen: best.amountFen, termMonths: best.termMonths, assetIds } : null;
}

/**
 * A granted invention patent filed three years ago with an indicative value of 600万元. Only the
 * indicative value is set directly, as the deal-history seeder does (the valuation form is not
 * part of the demo's set-up).
 */
async function addUnappraisedPatent(db: Db, user: { id: number; org_id: number }, today: string) {
  const filingYear = Number(today.slice(0, 4)) - 3;
  const filingDate = `${filingYear}-03-15`;
  const id = await createAsset(
    db,
    { userId: user.id, orgId: user.org_id },
    {
      assetKind: "patent",
      ipType: "invention",
      number: makePatentNumber(filingYear, 1, 7_900_000 + user.org_id),
      isPct: false,
      title: "一种基于物联网的牧场环境智能监测系统",
      status: "granted",
      filingDate,
      grantDate: addMonthsClamped(filingDate, 20),
      ipcClass: null,
      claimsCount: 10,
      coOwned: false,
      expiryDate: statutoryExpiry("invention", filingDate),
    },
  );
  await db
    .updateTable("ip_assets")
    .set({ indicative_value_fen: 600 * WAN })
    .where("id", "=", id)
    .execute();
}
