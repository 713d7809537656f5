/**
 * Fixtures for the deal workflow tests: organisations, users, a product per bank and appraised
 * assets, inserted directly (the workflow is under test, not the product or asset forms), plus a
 * helper that walks an application through the workflow with the real model functions.
 *
 *   const w = await createDealWorld(t.db);
 *   const asset = await addAsset(t.db, w.firmA.orgId, { valueFen: 100_000_000 });
 *   const id = await newApplication(t.db, w, { assetIds: [asset] });
 *   await driveTo(t.db, w, id, "pledge_registered");
 */
import type { ApplicationState, Database, IpType } from "../../db/schema";
import {
  approveApplication,
  createApplicationDraft,
  disburseApplication,
  getApplicationRow,
  registerPledge,
  startReview,
  submitApplication,
} from "../../app/models/application.server";
import type { Db } from "../../app/utils/db.server";
import { createRequest } from "../../app/models/request.server";
import { nowInstant, todayInChina } from "../../app/utils/time";

export interface Party {
  orgId: number;
  userId: number;
}

export interface DealWorld {
  firmA: Party;
  firmB: Party;
  bankX: Party;
  /** A second officer of bank X. */
  bankX2: Party;
  bankY: Party;
  admin: Party;
  productX: number;
  productY: number;
}

let seq = 0;
const uniq = () => `${process.pid}${Date.now().toString(36)}${(seq++).toString(36)}`;

async function org(db: Db, kind: string, name: string, region: string | null = null) {
  const res = await db
    .insertInto("organisations")
    .values({
      kind: kind as "firm",
      alliance_kind: null,
      name,
      uscc: null,
      region_code: region,
      industry_section: kind === "firm" ? "C" : null,
      created_at: nowInstant(),
    })
    .executeTakeFirstOrThrow();
  return Number(res.insertId);
}

async function user(db: Db, orgId: number, role: string, name: string) {
  const res = await db
    .insertInto("users")
    .values({
      org_id: orgId,
      email: `${name}-${uniq()}@deals.test`,
      password_hash: "not-used",
      role: role as "firm",
      display_name: name,
      created_at: nowInstant(),
    })
    .executeTakeFirstOrThrow();
  return Number(res.insertId);
}

export interface ProductOverrides {
  minAmountFen?: number;
  maxAmountFen?: number;
  quotaFen?: number;
  pledgeRateBp?: Partial<Record<IpType, number>>;
  ipTypesMask?: number;
  active?: boolean;
}

export async function addProduct(
  db: Db,
  bankOrgId: number,
  createdBy: number,
  o: ProductOverrides = {},
): Promise<number> {
  const now = nowInstant();
  const rates = {
    invention: 2500,
    utility_model: 1500,
    design: 1000,
    trademark: 5000,
    ...o.pledgeRateBp,
  };
  const quota = o.quotaFen ?? 1_000_000_000_000;
  const res = await db
    .insertInto("loan_products")
    .values({
      bank_org_id: bankOrgId,
      name: `知识产权质押贷-${bankOrgId}-${uniq()}`,
      description: "测试产品",
      min_amount_fen: o.minAmountFen ?? 1_000_000,
      max_amount_fen: o.maxAmountFen ?? 100_000_000_000,
      min_term_months: 6,
      max_term_months: 36,
      min_rate_bp: 300,
      max_rate_bp: 500,
      pledge_rate_invention_bp: rates.invention,
      pledge_rate_utility_model_bp: rates.utility_model,
      pledge_rate_design_bp: rates.design,
      pledge_rate_trademark_bp: rates.trademark,
      ip_types_mask: o.ipTypesMask ?? 15,
      all_regions: 1,
      region_mask: 4095,
      all_industries: 1,
      industry_mask: 1048575,
      required_flags_mask: 0,
      requires_formal_appraisal: 1,
      quota_total_fen: quota,
      quota_remaining_fen: quota,
      active: o.active === false ? 0 : 1,
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    })
    .executeTakeFirstOrThrow();
  return Number(res.insertId);
}

export async function createDealWorld(db: Db): Promise<DealWorld> {
  const firmAOrg = await org(db, "firm", "甲科技有限公司", "150200");
  const firmBOrg = await org(db, "firm", "乙新材料有限公司", "150600");
  const bankXOrg = await org(db, "bank", "测试银行X");
  const bankYOrg = await org(db, "bank", "测试银行Y");
  const platform = await org(db, "platform", "平台");
  const w = {
    firmA: { orgId: firmAOrg, userId: await user(db, firmAOrg, "firm", "甲") },
    firmB: { orgId: firmBOrg, userId: await user(db, firmBOrg, "firm", "乙") },
    bankX: { orgId: bankXOrg, userId: await user(db, bankXOrg, "bank_officer", "X1") },
    bankX2: { orgId: bankXOrg, userId: await user(db, bankXOrg, "bank_officer", "X2") },
    bankY: { orgId: bankYOrg, userId: await user(db, bankYOrg, "bank_officer", "Y1") },
    admin: { orgId: platform, userId: await user(db, platform, "admin", "管理员") },
  };
  return {
    ...w,
    productX: await addProduct(db, bankXOrg, w.bankX.userId),
    productY: await addProduct(db, bankYOrg, w.bankY.userId),
  };
}

/** An open financing request of firm A for `amountFen`, offering one new patent of its own. */
export async function addOpenRequest(db: Db, w: DealWorld, amountFen: number, today: string) {
  const asset = await addAsset(db, w.firmA.orgId, { title: `专利 ${amountFen}` });
  return createRequest(db, {
    firmOrgId: w.firmA.orgId,
    userId: w.firmA.userId,
    today,
    input: { amountFen, termMonths: 12, maxRateBp: 450, purpose: "采购", assetIds: [asset] },
  });
}

export async function addAsset(
  db: Db,
  firmOrgId: number,
  o: {
    ipType?: IpType;
    valueFen?: number | null;
    validUntil?: string | null;
    status?: string;
    expiryDate?: string;
    title?: string;
  } = {},
): Promise<number> {
  const ipType = o.ipType ?? "invention";
  const now = nowInstant();
  const res = await db
    .insertInto("ip_assets")
    .values({
      firm_org_id: firmOrgId,
      asset_kind: ipType === "trademark" ? "trademark" : "patent",
      ip_type: ipType,
      number: `T${uniq()}`,
      title: o.title ?? `测试资产${seq}`,
      status: o.status ?? (ipType === "trademark" ? "registered" : "granted"),
      filing_date: "2020-01-01",
      grant_date: "2021-01-01",
      registration_date: null,
      expiry_date: o.expiryDate ?? "2040-01-01",
      formal_value_fen: o.valueFen === undefined ? 100_000_000 : o.valueFen,
      formal_valid_until: o.validUntil === undefined ? "2099-12-31" : o.validUntil,
      created_at: now,
      updated_at: now,
    })
    .executeTakeFirstOrThrow();
  return Number(res.insertId);
}

export async function newApplication(
  db: Db,
  w: DealWorld,
  o: {
    assetIds: number[];
    amountFen?: number;
    firm?: Party;
    productId?: number;
  },
): Promise<number> {
  const firm = o.firm ?? w.firmA;
  const { applicationId } = await createApplicationDraft(db, {
    firmOrgId: firm.orgId,
    userId: firm.userId,
    productId: o.productId ?? w.productX,
    requestId: null,
    amountFen: o.amountFen ?? 10_000_000,
    termMonths: 12,
    rateBp: 385,
    assetIds: o.assetIds,
  });
  return applicationId;
}

async function version(db: Db, id: number): Promise<number> {
  return (await getApplicationRow(db, id))!.version;
}

const ORDER: ApplicationState[] = [
  "draft",
  "submitted",
  "under_review",
  "approved",
  "pledge_registered",
  "disbursed",
];

/** Walks an application forward along the happy path until it reaches `target`. */
export async function driveTo(
  db: Db,
  w: DealWorld,
  id: number,
  target: ApplicationState,
  o: {
    firm?: Party;
    bank?: Party;
    disburseFen?: number;
    valueDate?: string;
    regDate?: string;
  } = {},
): Promise<void> {
  const firm = o.firm ?? w.firmA;
  const bank = o.bank ?? w.bankX;
  const today = todayInChina();
  for (;;) {
    const row = (await getApplicationRow(db, id))!;
    if (row.state === target) return;
    const v = { applicationId: id, version: await version(db, id) };
    switch (row.state) {
      case "draft":
        await submitApplication(db, firm, v);
        break;
      case "submitted":
        await startReview(db, bank, v);
        break;
      case "under_review":
        await approveApplication(db, bank, {
          ...v,
          amountFen: Number(row.amount_fen),
          rateBp: 385,
          termMonths: 12,
        });
        break;
      case "approved":
        await registerPledge(db, bank, {
          ...v,
          regNumber: `Y2026${id}000`,
          regDate: o.regDate ?? o.valueDate ?? today,
        });
        break;
      case "pledge_registered":
        await disburseApplication(db, bank, {
          ...v,
          amountFen: o.disburseFen ?? Number(row.approved_amount_fen),
          valueDate: o.valueDate ?? today,
        });
        break;
      default:
        throw new Error(`cannot drive from ${row.state} to ${target}`);
    }
    if (ORDER.indexOf(target) < 0) throw new Error(`driveTo: ${target} is not on the happy path`);
  }
}

/** The number of rows in a table. */
export async function countRows(db: Db, table: keyof Database): Promise<number> {
  const r = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
