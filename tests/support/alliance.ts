/**
 * A hand-built deal history for the alliance review tests, made through the workflow's own model
 * functions (so the ledger, the totals and the rollups are the real ones), with the workflow's
 * instants then set to known 2025 values so every count, sum, median and p90 can be worked out
 * by hand. See EXPECTED for the figures of the period 2025-01-01 … 2025-12-31.
 *
 *   const w = await createDealWorld(t.db);
 *   const d = await buildAllianceDataset(t.db, w);
 */
import {
  approveApplication,
  createApplicationDraft,
  getApplicationRow,
  recordDefault,
  recordRepayment,
  rejectApplication,
  reverseLedgerEntry,
} from "../../app/models/application.server";
import type { Db } from "../../app/utils/db.server";
import { nowInstant } from "../../app/utils/time";
import { addAsset, addProduct, driveTo, type Party } from "./applications";

export interface AllianceWorld {
  firmA: Party;
  firmB: Party;
  bankX: Party;
  bankY: Party;
  admin: Party;
}

export interface AllianceDataset {
  productX: number;
  productY: number;
  /** D1 … D7 (see EXPECTED). */
  deals: number[];
  requests: number[];
}

const DAY = 86_400_000;
const T0 = Date.parse("2025-02-01T02:00:00Z");
const at = (days: number) =>
  new Date(T0 + days * DAY).toISOString().replace("T", " ").replace("Z", "");

/**
 * The seven deals (amounts in fen; X and Y are the banks; A consents to show its name, B not):
 *  D1 A·X 10,000,000 disbursed 2025-03-15, repaid 2025-09-01
 *  D2 B·X 20,000,000 disbursed 2025-04-10, defaulted 2025-10-01
 *  D3 A·Y 30,000,000 approved at 450 bp, disbursed 2025-05-20 (product Y: 30% government risk
 *     share, 50% 贴息)
 *  D4 B·Y  5,000,000 approved, pledge registered 2025-07-01
 *  D5 A·X  7,000,000 rejected at review
 *  D6 B·Y  6,000,000 under review
 *  D7 A·X  8,000,000 disbursed 2025-06-01, then reversed by the admin (net 0: no loan)
 * Days from submission to the start of review: 1 3 2 5 1 4 2 → median 2 days, p90 5 days.
 */
export const EXPECTED = {
  period: { from: "2025-01-01", to: "2025-12-31" },
  funnel: {
    requests: [2, 12_000_000],
    matched: [1, 5_000_000],
    submitted: [7, 86_000_000],
    approved: [5, 73_000_000],
    registered: [5, 73_000_000],
    disbursed: [3, 60_000_000],
    repaid: [1, 10_000_000],
    defaulted: [1, 20_000_000],
  } as Record<string, [number, number]>,
  approvalRateBp: 8333,
  // (10 + 20 + 5 + 8) × 385 + 30 × 450, over 73
  avgApprovedRateBp: 412,
  defaultRateBp: 5000,
  defaultRateByAmountBp: 6667,
  toReview: { count: 7, medianMs: 2 * DAY, p90Ms: 5 * DAY },
  ledgerFen: 60_000_000,
};

const TO_REVIEW_DAYS = [1, 3, 2, 5, 1, 4, 2];

async function insertRequest(db: Db, firmOrgId: number, amountFen: number, createdAt: string) {
  const res = await db
    .insertInto("financing_requests")
    .values({
      firm_org_id: firmOrgId,
      amount_fen: amountFen,
      term_months: 12,
      max_rate_bp: 500,
      purpose: "研发投入",
      status: "open",
      region_code: "150200",
      region_bit: 2,
      industry_bit: 4,
      flags_mask: 0,
      offered_types_mask: 1,
      created_at: createdAt,
      updated_at: createdAt,
    })
    .executeTakeFirstOrThrow();
  return Number(res.insertId);
}

async function version(db: Db, id: number) {
  return (await getApplicationRow(db, id))!.version;
}

export async function buildAllianceDataset(db: Db, w: AllianceWorld): Promise<AllianceDataset> {
  const productX = await addProduct(db, w.bankX.orgId, w.bankX.userId);
  const productY = await addProduct(db, w.bankY.orgId, w.bankY.userId);
  await db
    .updateTable("loan_products")
    .set({ risk_government_bp: 3000, interest_subsidy_bp: 5000 })
    .where("id", "=", productY)
    .execute();

  const r1 = await insertRequest(db, w.firmA.orgId, 5_000_000, "2025-01-20 02:00:00.000");
  const r2 = await insertRequest(db, w.firmB.orgId, 7_000_000, "2025-01-21 02:00:00.000");
  const r3 = await insertRequest(db, w.firmA.orgId, 9_000_000, "2024-06-01 02:00:00.000");

  const draft = async (
    firm: Party,
    productId: number,
    amountFen: number,
    requestId: number | null = null,
  ) => {
    const asset = await addAsset(db, firm.orgId, { valueFen: 200_000_000 });
    const { applicationId } = await createApplicationDraft(db, {
      firmOrgId: firm.orgId,
      userId: firm.userId,
      productId,
      requestId,
      amountFen,
      termMonths: 12,
      rateBp: 385,
      assetIds: [asset],
    });
    return applicationId;
  };
  const world = { ...w, bankX2: w.bankX, productX, productY };

  const d1 = await draft(w.firmA, productX, 10_000_000, r1);
  await driveTo(db, world, d1, "disbursed", {
    firm: w.firmA,
    bank: w.bankX,
    valueDate: "2025-03-15",
  });
  await recordRepayment(db, w.bankX, {
    applicationId: d1,
    version: await version(db, d1),
    closedDate: "2025-09-01",
  });

  const d2 = await draft(w.firmB, productX, 20_000_000);
  await driveTo(db, world, d2, "disbursed", {
    firm: w.firmB,
    bank: w.bankX,
    valueDate: "2025-04-10",
  });
  await recordDefault(db, w.bankX, {
    applicationId: d2,
    version: await version(db, d2),
    closedDate: "2025-10-01",
    reason: "质押专利处置完毕",
  });

  const d3 = await draft(w.firmA, productY, 30_000_000);
  await driveTo(db, world, d3, "under_review", { firm: w.firmA, bank: w.bankY });
  await approveApplication(db, w.bankY, {
    applicationId: d3,
    version: await version(db, d3),
    amountFen: 30_000_000,
    rateBp: 450,
    termMonths: 12,
  });
  await driveTo(db, world, d3, "disbursed", {
    firm: w.firmA,
    bank: w.bankY,
    valueDate: "2025-05-20",
  });

  const d4 = await draft(w.firmB, productY, 5_000_000);
  await driveTo(db, world, d4, "pledge_registered", {
    firm: w.firmB,
    bank: w.bankY,
    regDate: "2025-07-01",
  });

  const d5 = await draft(w.firmA, productX, 7_000_000);
  await driveTo(db, world, d5, "under_review", { firm: w.firmA, bank: w.bankX });
  await rejectApplication(db, w.bankX, {
    applicationId: d5,
    version: await version(db, d5),
    reason: "经营数据不足",
  });

  const d6 = await draft(w.firmB, productY, 6_000_000);
  await driveTo(db, world, d6, "under_review", { firm: w.firmB, bank: w.bankY });

  const d7 = await draft(w.firmA, productX, 8_000_000);
  await driveTo(db, world, d7, "disbursed", {
    firm: w.firmA,
    bank: w.bankX,
    valueDate: "2025-06-01",
  });
  const entry = await db
    .selectFrom("ledger_entries")
    .select("id")
    .where("disbursement_key", "=", d7)
    .executeTakeFirstOrThrow();
  await reverseLedgerEntry(db, {
    entryId: entry.id,
    reason: "金额录入错误",
    actorUserId: w.admin.userId,
    actorOrgId: w.admin.orgId,
  });

  // The workflow stamps its instants with the current time; move them to known 2025 days.
  const deals = [d1, d2, d3, d4, d5, d6, d7];
  for (const [i, id] of deals.entries()) {
    const row = (await getApplicationRow(db, id))!;
    const start = i * 10;
    const review = start + TO_REVIEW_DAYS[i];
    await db
      .updateTable("applications")
      .set({
        submitted_at: at(start),
        review_started_at: row.review_started_at ? at(review) : null,
        approved_at: row.approved_at ? at(review + 2) : null,
        registered_at: row.registered_at ? at(review + 5) : null,
        disbursed_at: row.disbursed_at ? at(review + 6) : null,
        closed_at: row.closed_at ? at(review + 200) : null,
        updated_at: nowInstant(),
      })
      .where("id", "=", id)
      .execute();
  }
  return { productX, productY, deals, requests: [r1, r2, r3] };
}

/** Σ ledger_entries.amount_fen and Σ disbursement_totals.amount_fen, straight from the tables. */
export async function ledgerSums(db: Db, period?: { from: string; to: string }) {
  let le = db.selectFrom("ledger_entries").select((eb) => eb.fn.sum<number>("amount_fen").as("s"));
  let dt = db
    .selectFrom("disbursement_totals")
    .select((eb) => eb.fn.sum<number>("amount_fen").as("s"));
  if (period) {
    le = le.where("value_date", ">=", period.from).where("value_date", "<=", period.to);
    dt = dt
      .where("month", ">=", period.from.slice(0, 7))
      .where("month", "<=", period.to.slice(0, 7));
  }
  const [a, b] = await Promise.all([le.executeTakeFirst(), dt.executeTakeFirst()]);
  return { ledger: Number(a?.s ?? 0), totals: Number(b?.s ?? 0) };
}
