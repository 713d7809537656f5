import { runDailyJobs } from "../app/models/servicing/jobs.server";
import type { AllianceKind } from "./schema";
import { addDays, addMonthsClamped } from "../app/domain/ip";
import { makePatentNumber, statutoryExpiry } from "../app/domain/patent";
import type { ClaimDocument } from "../app/domain/risk-sharing/claims";
import { loanPosition, type PostedRepayment } from "../app/domain/servicing/position";
import {
  approveApplication,
  createApplicationDraft,
  disburseApplication,
  registerPledge,
  startReview,
  submitApplication,
} from "../app/models/application.server";
import {
  createAppraisalOrder,
  signAppraisalOrder,
  startAppraisalWork,
  type Actor as AppraisalActor,
} from "../app/models/appraisal.server";
import { createAsset } from "../app/models/asset.server";
import { markOfflinePaid } from "../app/models/payment.server";
import { decideClaim, fileClaim, previewClaim } from "../app/models/risk-sharing/claims.server";
import type { RiskActor } from "../app/models/risk-sharing/common.server";
import {
  listForDisposal,
  recordProceeds,
  registerInterest,
} from "../app/models/risk-sharing/disposals.server";
import { addContribution, createPool } from "../app/models/risk-sharing/pools.server";
import {
  bindQuote,
  listProductQuotes,
  quoteProduct,
} from "../app/models/risk-sharing/quotes.server";
import {
  createProgramme,
  decideSubsidyClaim,
  fileSubsidyClaim,
  previewSubsidy,
  setLpr,
} from "../app/models/risk-sharing/subsidies.server";
import { getLoanView, postRepayment, recordLoanDefault } from "../app/models/servicing/loan.server";
import type { Db } from "../app/utils/db.server";
import { replayAt, todayInChina } from "../app/utils/time";
import type { ExtraSeeder } from "./seed";
import { DEMO_VALUER_LICENCE } from "./seed-appraisals";

/**
 * The risk-sharing demo (issue 14 item 8), replayed through the model functions the pages call —
 * createPool, addContribution, quoteProduct, bindQuote, the application and servicing models
 * (disbursement reserves the cover, recordLoanDefault records the loss), fileClaim, decideClaim,
 * listForDisposal, registerInterest, recordProceeds, setLpr, createProgramme, fileSubsidyClaim and
 * decideSubsidyClaim — each on its day, so `reconcileRiskSharing` finds no drift:
 *
 * - a regional pool (自治区) with an insurer and a guarantor, covering two products of two banks,
 *   funded by three contributions; a county-style pool (科尔沁区, 通辽市) covering one product;
 * - the insurer and the guarantor quote both regional products; each regional loan binds both;
 * - covered loans: open ones (the pools' exposure) and four that default, whose claims are
 *   approved in full, approved in part, still filed, and rejected;
 * - a disposal of the fully approved claim's patent, sold, its proceeds split back to the sharers;
 *   another listed for licence, with a party's interest registered;
 * - the 1-year LPR since December 2021 as dated settings, and two subsidy programmes: one for
 *   呼包鄂 at 50% of the interest on a basis capped at 1.5× LPR, with a firm-year cap, decided by
 *   hand (approved, pending, rejected claims); one for eastern 盟市 at 100% on 0.6× LPR, paid
 *   automatically.
 *
 * No random draws: it uses fixed choices only, so the rest of the demo stays what it was.
 */

/** The insurer and the guarantor of the demo alliance: db/seed.ts creates them and their log-ins. */
export const RISK_PARTIES: readonly {
  kind: Extract<AllianceKind, "insurer" | "guarantor">;
  email: string;
  org: string;
  person: string;
}[] = [
  {
    kind: "insurer",
    email: "insurer@pic.demo",
    org: "北疆财产保险股份有限公司（演示）",
    person: "保险专员",
  },
  {
    kind: "guarantor",
    email: "guarantor@guarantee.demo",
    org: "内蒙古科创融资担保有限公司（演示）",
    person: "担保专员",
  },
];

const GOVERNMENT_EMAIL = "alliance@amr.demo";
const WAN = 1_000_000; // fen per 万元
const PATENT_SERIAL_BASE = 9_500_000; // beyond the other seeders' serials

/** The 1-year LPR (全国银行间同业拆借中心) from December 2021, in bp. */
export const DEMO_LPR: readonly { effectiveDate: string; rateBp: number }[] = [
  { effectiveDate: "2021-12-20", rateBp: 380 },
  { effectiveDate: "2022-01-20", rateBp: 370 },
  { effectiveDate: "2022-08-22", rateBp: 365 },
  { effectiveDate: "2023-06-20", rateBp: 355 },
  { effectiveDate: "2023-08-21", rateBp: 345 },
  { effectiveDate: "2024-07-22", rateBp: 335 },
  { effectiveDate: "2024-10-21", rateBp: 310 },
  { effectiveDate: "2025-05-20", rateBp: 300 },
];

type ClaimPlan = "approve" | "partial" | "file" | "reject";

interface LoanSpec {
  key: string;
  product: string;
  regions: readonly string[];
  industries: readonly string[];
  title: string;
  amountFen: number;
  termMonths: number;
  rateBp: number;
  disbursedDaysAgo: number;
  /** Instalments paid before the loan stops paying; null: it pays everything due. */
  paid: number | null;
  claim?: ClaimPlan;
  disposal?: "sold" | "listed";
  /** Bind the product's insurance and guarantee quotes at approval. */
  cover: boolean;
}

const REGIONAL_PRODUCTS = ["草原知识产权质押贷", "鹿城科创贷"];
const COUNTY_PRODUCT = "农牧业知识产权贷";

const LOANS: readonly LoanSpec[] = [
  {
    key: "R1",
    product: "草原知识产权质押贷",
    regions: ["150900", "150800", "150300"],
    industries: [],
    title: "一种马铃薯全粉加工余热回收装置及方法",
    amountFen: 600 * WAN,
    termMonths: 12,
    rateBp: 435,
    disbursedDaysAgo: 560,
    paid: 5,
    claim: "approve",
    disposal: "sold",
    cover: true,
  },
  {
    key: "R2",
    product: "鹿城科创贷",
    regions: ["150200", "150600"],
    industries: ["C", "I", "M"],
    title: "一种稀土抛光粉回收再生工艺",
    amountFen: 400 * WAN,
    termMonths: 12,
    rateBp: 420,
    disbursedDaysAgo: 520,
    paid: 6,
    claim: "partial",
    cover: true,
  },
  {
    key: "R3",
    product: "草原知识产权质押贷",
    regions: ["152900", "150300", "152500"],
    industries: [],
    title: "一种荒漠梭梭林接种肉苁蓉的方法",
    amountFen: 300 * WAN,
    termMonths: 12,
    rateBp: 450,
    disbursedDaysAgo: 430,
    paid: 3,
    claim: "file",
    cover: true,
  },
  {
    key: "R4",
    product: "草原知识产权质押贷",
    regions: ["150100", "150900"],
    industries: [],
    title: "一种光伏支架自动跟踪控制系统",
    amountFen: 500 * WAN,
    termMonths: 24,
    rateBp: 395,
    disbursedDaysAgo: 210,
    paid: null,
    cover: true,
  },
  {
    key: "R5",
    product: "鹿城科创贷",
    regions: ["150600", "150200"],
    industries: ["C", "I", "M"],
    title: "一种羊绒制品数字化织造方法",
    amountFen: 800 * WAN,
    termMonths: 36,
    rateBp: 410,
    disbursedDaysAgo: 150,
    paid: null,
    cover: true,
  },
  {
    key: "C1",
    product: COUNTY_PRODUCT,
    regions: ["150500"],
    industries: ["A", "C"],
    title: "一种耐旱玉米种子包衣剂及其制备方法",
    amountFen: 250 * WAN,
    termMonths: 12,
    rateBp: 480,
    disbursedDaysAgo: 540,
    paid: 4,
    claim: "reject",
    disposal: "listed",
    cover: false,
  },
  {
    key: "C2",
    product: COUNTY_PRODUCT,
    regions: ["150500"],
    industries: ["A", "C"],
    title: "一种玉米秸秆生物饲料发酵方法",
    amountFen: 180 * WAN,
    termMonths: 24,
    rateBp: 460,
    disbursedDaysAgo: 120,
    paid: null,
    cover: false,
  },
];

/** Showcase firms keep their first impression; the risk demo uses other firms. */
const SKIP_FIRMS = new Set([1, 2, 3, 4, 5].map((n) => `firm0${n}@firms.demo`));

/** A Beijing office-hours moment of `day` (never after now). */
function at(day: string, hourUtc = 2): Date {
  const t = new Date(`${day}T${String(hourUtc).padStart(2, "0")}:30:00Z`);
  return new Date(Math.min(t.getTime(), Date.now()));
}

async function userByEmail(db: Db, email: string) {
  return db
    .selectFrom("users")
    .select(["id", "org_id", "role"])
    .where("email", "=", email)
    .executeTakeFirst();
}

const riskActor = (u: { id: number; org_id: number; role: RiskActor["role"] }): RiskActor => ({
  userId: u.id,
  orgId: u.org_id,
  role: u.role,
});

export interface RiskSeedSummary {
  pools: number;
  loans: number;
  claims: Record<string, number>;
  subsidyClaims: Record<string, number>;
}

export const seedRisk: ExtraSeeder = async (db, { log }) => {
  const started = Date.now();
  const today = todayInChina();
  const summary = await seedRiskSharing(db, today);
  if (!summary) return log("risk sharing: demo parties or products missing, skipped");
  // The deal history ran today's servicing jobs before these loans existed: run them again so
  // the covered loans' reminders are issued as of today too (a later run then finds nothing new).
  await runDailyJobs(db, today, { force: true });
  log(
    `seeded ${summary.pools} risk pools, ${summary.loans} covered loans, claims ` +
      `${JSON.stringify(summary.claims)}, subsidy claims ${JSON.stringify(summary.subsidyClaims)} ` +
      `(${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
};

export async function seedRiskSharing(db: Db, today: string): Promise<RiskSeedSummary | null> {
  const govUser = await userByEmail(db, GOVERNMENT_EMAIL);
  const insurerUser = await userByEmail(db, RISK_PARTIES[0].email);
  const guarantorUser = await userByEmail(db, RISK_PARTIES[1].email);
  const admin = await userByEmail(db, "admin@zhirong.demo");
  const valuer = await userByEmail(db, "appraiser@valuer.demo");
  const products = await db
    .selectFrom("loan_products")
    .select(["id", "name", "bank_org_id"])
    .where("name", "in", [...REGIONAL_PRODUCTS, COUNTY_PRODUCT])
    .orderBy("id")
    .execute();
  const productByName = new Map(products.map((p) => [p.name, p]));
  if (
    !govUser ||
    !insurerUser ||
    !guarantorUser ||
    !admin ||
    !valuer ||
    productByName.size !== REGIONAL_PRODUCTS.length + 1
  ) {
    return null;
  }
  const gov = riskActor(govUser);
  const insurer = riskActor(insurerUser);
  const guarantor = riskActor(guarantorUser);
  const day = (daysAgo: number) => addDays(today, -daysAgo);

  // The 1-year LPR as dated settings, each entered on its day.
  for (const l of DEMO_LPR) {
    if (l.effectiveDate > today) continue;
    await replayAt(at(l.effectiveDate), () => setLpr(db, gov, l));
  }

  // The pools, set up two years ago by the government member, and their funders.
  const regionalProducts = REGIONAL_PRODUCTS.map((n) => productByName.get(n)!.id);
  const regionalPool = await replayAt(at(day(730)), () =>
    createPool(db, gov, {
      name: "自治区知识产权质押融资风险补偿资金池（演示）",
      kind: "regional",
      shares: { pool: 4000, insurer: 2500, guarantor: 2000, bank: 1500 },
      perLoanCapFen: 500 * WAN,
      leverageMultipleBp: 100_000,
      interestDaysAllowed: 90,
      requiredDocuments: [
        "loan_contract",
        "pledge_registration",
        "default_notice",
        "collection_record",
      ],
      productIds: regionalProducts,
      regionCodes: [],
      insurerOrgId: insurer.orgId,
      guarantorOrgId: guarantor.orgId,
    }),
  );
  const countyPool = await replayAt(at(day(720)), () =>
    createPool(db, gov, {
      name: "科尔沁区知识产权质押融资风险补偿资金池（演示）",
      kind: "county",
      shares: { pool: 5000, insurer: 0, guarantor: 0, bank: 5000 },
      perLoanCapFen: 200 * WAN,
      leverageMultipleBp: 50_000,
      interestDaysAllowed: 60,
      requiredDocuments: ["loan_contract", "default_notice"],
      productIds: [productByName.get(COUNTY_PRODUCT)!.id],
      regionCodes: ["150500"],
    }),
  );
  const contributions = [
    { poolId: regionalPool, funderName: "内蒙古自治区财政厅", amountFen: 3000 * WAN, daysAgo: 725 },
    { poolId: regionalPool, funderName: "包头市财政局", amountFen: 1000 * WAN, daysAgo: 600 },
    { poolId: regionalPool, funderName: "呼和浩特市财政局", amountFen: 500 * WAN, daysAgo: 400 },
    { poolId: countyPool, funderName: "通辽市科尔沁区财政局", amountFen: 600 * WAN, daysAgo: 715 },
    { poolId: countyPool, funderName: "通辽市财政局", amountFen: 400 * WAN, daysAgo: 500 },
  ];
  for (const [k, c] of contributions.entries()) {
    const valueDate = day(c.daysAgo);
    await replayAt(at(valueDate), () =>
      addContribution(db, gov, {
        poolId: c.poolId,
        funderName: c.funderName,
        amountFen: c.amountFen,
        valueDate,
        idempotencyKey: `seed-risk:contribution:${k + 1}`,
      }),
    );
  }

  // The insurer's premium rates and the guarantor's fee rates on the regional pool's products.
  const rates: Record<string, { insurance: number; guarantee: number }> = {
    草原知识产权质押贷: { insurance: 120, guarantee: 100 },
    鹿城科创贷: { insurance: 150, guarantee: 180 },
  };
  for (const name of REGIONAL_PRODUCTS) {
    const productId = productByName.get(name)!.id;
    await replayAt(at(day(710)), () =>
      quoteProduct(db, insurer, { productId, rateBp: rates[name].insurance }),
    );
    await replayAt(at(day(710), 3), () =>
      quoteProduct(db, guarantor, { productId, rateBp: rates[name].guarantee }),
    );
  }

  // The covered loans, each listed, appraised, applied for, approved, registered and disbursed
  // on its day; then serviced, and the defaulted ones claimed and decided.
  const firms = await db
    .selectFrom("users")
    .innerJoin("organisations", "organisations.id", "users.org_id")
    .select([
      "users.id",
      "users.org_id",
      "users.email",
      "organisations.region_code",
      "organisations.industry_section",
    ])
    .where("users.role", "=", "firm")
    .where("users.email", "like", "firm%@firms.demo")
    .orderBy("users.email")
    .execute();
  const used = new Set<number>();
  let serial = PATENT_SERIAL_BASE;
  const claims: Record<string, number> = {};
  let loans = 0;
  const claimIds = new Map<string, number>();
  for (const spec of LOANS) {
    const product = productByName.get(spec.product)!;
    const candidates = firms.filter(
      (f) => !SKIP_FIRMS.has(f.email) && !used.has(f.org_id) && f.region_code,
    );
    const inRegion = (f: (typeof firms)[number]) =>
      spec.regions.indexOf(f.region_code!) >= 0 ? spec.regions.indexOf(f.region_code!) : 99;
    const firm = candidates
      .filter((f) => inRegion(f) < 99)
      .sort(
        (a, b) =>
          Number(
            spec.industries.length > 0 && !spec.industries.includes(a.industry_section ?? ""),
          ) -
            Number(
              spec.industries.length > 0 && !spec.industries.includes(b.industry_section ?? ""),
            ) || inRegion(a) - inRegion(b),
      )[0];
    if (!firm) continue;
    used.add(firm.org_id);
    const bank = await db
      .selectFrom("users")
      .select(["id", "org_id", "role"])
      .where("org_id", "=", product.bank_org_id)
      .where("role", "=", "bank_officer")
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const bankRisk = riskActor(bank);
    const bankActor = { userId: bank.id, orgId: bank.org_id };
    const firmActor = { userId: firm.id, orgId: firm.org_id };

    const valueDate = day(spec.disbursedDaysAgo);
    const regDate = addDays(valueDate, -3);
    const approvalDay = addDays(valueDate, -8);
    const reviewDay = addDays(valueDate, -15);
    const submitDay = addDays(valueDate, -18);
    const signedDate = addDays(valueDate, -25);
    const orderedDate = addDays(signedDate, -10);

    // One invention patent, worth 1.4× what the product's pledge rate needs for the amount.
    const filingYear = Number(signedDate.slice(0, 4)) - 3;
    const filingDate = `${filingYear}-0${3 + (serial % 6)}-1${serial % 9}`;
    const pledgeRate = await db
      .selectFrom("loan_products")
      .select("pledge_rate_invention_bp")
      .where("id", "=", product.id)
      .executeTakeFirstOrThrow();
    const valueFen =
      Math.ceil((spec.amountFen * 10_000 * 1.4) / pledgeRate.pledge_rate_invention_bp / 100_000) *
      100_000;
    const assetId = await replayAt(at(orderedDate, 1), () =>
      createAsset(db, firmActor, {
        assetKind: "patent",
        ipType: "invention",
        number: makePatentNumber(filingYear, 1, serial++),
        isPct: false,
        title: spec.title,
        status: "granted",
        filingDate,
        grantDate: addMonthsClamped(filingDate, 20),
        ipcClass: null,
        claimsCount: 8,
        coOwned: false,
        expiryDate: statutoryExpiry("invention", filingDate),
      }),
    );
    await db
      .updateTable("ip_assets")
      .set({ indicative_value_fen: valueFen })
      .where("id", "=", assetId)
      .execute();
    const firmParty: AppraisalActor = { id: firm.id, org_id: firm.org_id, role: "firm" };
    const adminParty = admin as AppraisalActor;
    const valuerParty = valuer as AppraisalActor;
    const { orderId } = await replayAt(at(orderedDate, 2), () =>
      createAppraisalOrder(
        db,
        firmParty,
        { assetIds: [assetId], valuerOrgId: valuer.org_id },
        { paymentMode: "offline", now: `${orderedDate} 02:00:00.000` },
      ),
    );
    await replayAt(at(addDays(orderedDate, 1), 3), () =>
      markOfflinePaid(
        db,
        adminParty,
        orderId,
        1,
        { reference: `DEMO-R${String(orderId).padStart(7, "0")}` },
        { now: `${addDays(orderedDate, 1)} 03:00:00.000` },
      ),
    );
    await replayAt(at(addDays(orderedDate, 2)), () =>
      startAppraisalWork(db, valuerParty, orderId, 2),
    );
    await replayAt(at(signedDate, 8), () =>
      signAppraisalOrder(
        db,
        valuerParty,
        orderId,
        3,
        [
          {
            assetId,
            lowFen: Math.round(valueFen * 0.9),
            centralFen: valueFen,
            highFen: Math.round(valueFen * 1.1),
            method: "income",
            assumptions:
              "收益期按剩余保护期与经济寿命孰短确定；许可费率参照同行业可比交易；折现率 12%（演示数据）。",
            reportText: `对“${spec.title}”于 ${signedDate} 的市场价值进行评估，供办理知识产权质押融资使用（演示数据）。`,
          },
        ],
        { signedDate, now: `${signedDate} 08:00:00.000`, valuerLicenceNumber: DEMO_VALUER_LICENCE },
      ),
    );

    const { applicationId } = await replayAt(at(submitDay, 1), () =>
      createApplicationDraft(db, {
        firmOrgId: firm.org_id,
        userId: firm.id,
        productId: product.id,
        requestId: null,
        amountFen: spec.amountFen,
        termMonths: spec.termMonths,
        rateBp: spec.rateBp,
        assetIds: [assetId],
      }),
    );
    let version = 1;
    const v = () => ({ applicationId, version: version++ });
    await replayAt(at(submitDay, 2), () => submitApplication(db, firmActor, v()));
    await replayAt(at(reviewDay, 3), () => startReview(db, bankActor, v()));
    const approval = {
      ...v(),
      amountFen: spec.amountFen,
      rateBp: spec.rateBp,
      termMonths: spec.termMonths,
      day: approvalDay,
      repaymentMethod: "equal_instalment" as const,
    };
    await replayAt(at(approvalDay, 4), () => approveApplication(db, bankActor, approval));
    if (spec.cover) {
      // The bank binds the insurer's and the guarantor's quotes on the approved loan.
      const quotes = await listProductQuotes(db, product.id);
      for (const q of quotes) {
        await replayAt(at(approvalDay, 5), () =>
          bindQuote(db, bankRisk, { applicationId, quoteId: q.id }),
        );
      }
    }
    const registration = {
      ...v(),
      regNumber: `Y${regDate.replace(/-/g, "")}${String(applicationId).padStart(6, "0")}`,
      regDate,
    };
    await replayAt(at(regDate, 6), () => registerPledge(db, bankActor, registration));
    const disbursement = { ...v(), amountFen: spec.amountFen, valueDate };
    await replayAt(at(valueDate, 7), () => disburseApplication(db, bankActor, disbursement));
    loans++;

    // Servicing: each instalment paid on its due day, until the loan stops paying.
    const view = (await getLoanView(db, applicationId, today))!;
    const { terms } = view;
    const posted: PostedRepayment[] = [];
    const servicingActor = {
      actorUserId: bank.id,
      actorOrgId: bank.org_id,
      bankOrgId: bank.org_id,
      applicationId,
    };
    let firstMissed: string | null = null;
    for (const [i, row] of terms.schedule.entries()) {
      if (row.dueDate >= today) break;
      if (spec.paid !== null && i >= spec.paid) {
        firstMissed = row.dueDate;
        break;
      }
      const pos = loanPosition(terms, posted, row.dueDate);
      const amountFen = pos.duePrincipalFen + pos.dueInterestFen;
      if (amountFen <= 0) continue;
      const e = await replayAt(at(row.dueDate), () =>
        postRepayment(db, {
          ...servicingActor,
          amountFen,
          valueDate: row.dueDate,
          idempotencyKey: `seed-risk:${applicationId}:${i + 1}`,
          today: row.dueDate,
        }),
      );
      posted.push({
        valueDate: row.dueDate,
        principalFen: e.principalFen,
        interestFen: e.interestFen,
        kind: e.kind,
      });
    }
    if (!spec.claim || !firstMissed) continue;

    // The default, 95 days past the first missed instalment, then the claim and its decision.
    const defaultDay = addDays(firstMissed, 95);
    await replayAt(at(defaultDay, 7), () =>
      recordLoanDefault(db, {
        applicationId,
        reason: "借款人连续逾期超过 90 天，经催收仍未还款，确认违约（演示数据）",
        actorUserId: bank.id,
        actorOrgId: bank.org_id,
        bankOrgId: bank.org_id,
        today: defaultDay,
      }),
    );
    const filedDay = addDays(defaultDay, spec.claim === "file" ? 150 : 12);
    const preview = await previewClaim(db, bankRisk, applicationId);
    const documents = preview.requiredDocuments.map((document: ClaimDocument, k) => ({
      document,
      reference: `${spec.key}-${String(k + 1).padStart(2, "0")}/${applicationId}`,
    }));
    const { claimId } = await replayAt(at(filedDay, 3), () =>
      fileClaim(db, bankRisk, {
        applicationId,
        claimedFen: preview.lossFen,
        documents,
        idempotencyKey: `seed-risk:${applicationId}`,
      }),
    );
    claimIds.set(spec.key, claimId);
    const decidedDay = addDays(filedDay, 20);
    if (spec.claim === "approve") {
      await replayAt(at(decidedDay, 6), () =>
        decideClaim(db, gov, claimId, { decision: "approve", approvedFen: preview.lossFen }),
      );
    } else if (spec.claim === "partial") {
      // The interest beyond the contract's grace is not covered: the principal part only.
      await replayAt(at(decidedDay, 6), () =>
        decideClaim(db, gov, claimId, {
          decision: "approve",
          approvedFen: preview.coveredPrincipalFen,
        }),
      );
    } else if (spec.claim === "reject") {
      await replayAt(at(decidedDay, 6), () =>
        decideClaim(db, gov, claimId, {
          decision: "reject",
          reason: "贷款发放前未按资金池规定完成备案，不属于补偿范围（演示数据）",
        }),
      );
    }
    claims[spec.claim] = (claims[spec.claim] ?? 0) + 1;

    if (!spec.disposal) continue;
    const listedDay = addDays(decidedDay, 15);
    const disposalId = await replayAt(at(listedDay, 4), () =>
      listForDisposal(db, bankRisk, {
        applicationId,
        kind: spec.disposal === "sold" ? "transfer" : "licence",
        title:
          spec.disposal === "sold"
            ? `发明专利“${spec.title}”转让`
            : `发明专利“${spec.title}”独占许可（五年）`,
        assetSummary: `发明专利 1 件，剩余保护期约 ${20 - (Number(listedDay.slice(0, 4)) - filingYear)} 年，质押登记已办理（演示数据）。`,
        appraisalFen: valueFen,
        // A forced sale fetches a fraction of the pledge-time appraisal (the claim's loss is the
        // reference the bank prices against).
        askingFen:
          Math.round((preview.lossFen * (spec.disposal === "sold" ? 0.6 : 0.3)) / WAN) * WAN,
        terms:
          spec.disposal === "sold"
            ? "一次性付款，买方承担变更登记费用；受让后原质押登记注销。"
            : "许可费分三年支付，首付 40%；被许可方不得再许可。",
      }),
    );
    await replayAt(at(addDays(listedDay, 10), 5), () =>
      registerInterest(db, {
        disposalId,
        name: "赤峰某农业科技有限公司",
        contact: "0476-8888000",
        message: "有意受让，请提供专利年费缴纳记录。",
      }),
    );
    if (spec.disposal === "sold") {
      await replayAt(at(addDays(listedDay, 14), 6), () =>
        registerInterest(db, {
          disposalId,
          name: "包头某新材料研究院",
          contact: "liu@example.cn",
          message: "拟整体受让，可议价。",
        }),
      );
      await replayAt(at(addDays(listedDay, 45), 7), () =>
        recordProceeds(db, bankRisk, {
          disposalId,
          proceedsFen: Math.round((preview.lossFen * 0.45) / WAN) * WAN,
          buyerName: "包头某新材料研究院",
          soldDate: addDays(listedDay, 45),
          idempotencyKey: `seed-risk:disposal:${disposalId}`,
        }),
      );
    }
  }

  const subsidyClaims = await seedSubsidies(db, gov, today, firms);
  return { pools: 2, loans, claims, subsidyClaims };
}

/**
 * Two programmes with different rules, and claims on the demo loans' interest: the first (呼包鄂,
 * decided by hand) approves, leaves pending and rejects one each; the second (eastern 盟市) pays
 * automatically. Each claim is computed from the repayment ledger by the model.
 */
async function seedSubsidies(
  db: Db,
  gov: RiskActor,
  today: string,
  firms: readonly { id: number; org_id: number; email: string; region_code: string | null }[],
): Promise<Record<string, number>> {
  const year = Number(today.slice(0, 4));
  const windowStart = `${year - 1}-01-01`;
  const windowEnd = `${year}-12-31`;
  const setUp = addDays(windowStart, 10) < today ? addDays(windowStart, 10) : today;
  const huBaoE = await replayAt(at(setUp), () =>
    createProgramme(db, gov, {
      name: "呼包鄂知识产权质押贷款贴息（演示）",
      shareBp: 5000,
      lprMultipleCapBp: 15_000,
      perFirmYearCapFen: 10 * WAN,
      budgetFen: 1000 * WAN,
      windowStart,
      windowEnd,
      regionCodes: ["150100", "150200", "150600"],
      productIds: [],
      requiredFlags: [],
      firstPledgeOnly: false,
      autoApprove: false,
    }),
  );
  const east = await replayAt(at(setUp, 3), () =>
    createProgramme(db, gov, {
      name: "蒙东盟市科技型企业知识产权质押贴息（演示）",
      shareBp: 10_000,
      lprMultipleCapBp: 6000,
      perFirmYearCapFen: 2 * WAN,
      budgetFen: 300 * WAN,
      windowStart,
      windowEnd,
      regionCodes: ["150400", "150500", "150700", "152200"],
      productIds: [],
      requiredFlags: [],
      firstPledgeOnly: false,
      autoApprove: true,
    }),
  );

  const states: Record<string, number> = {};
  const plans: {
    programmeId: number;
    regions: string[];
    outcomes: ("approve" | "pending" | "reject" | "auto")[];
  }[] = [
    {
      programmeId: huBaoE,
      regions: ["150100", "150200", "150600"],
      outcomes: ["approve", "pending", "reject"],
    },
    {
      programmeId: east,
      regions: ["150400", "150500", "150700", "152200"],
      outcomes: ["auto", "auto"],
    },
  ];
  for (const plan of plans) {
    let next = 0;
    for (const firm of firms) {
      if (next >= plan.outcomes.length) break;
      if (!firm.region_code || !plan.regions.includes(firm.region_code)) continue;
      const actor: RiskActor = { userId: firm.id, orgId: firm.org_id, role: "firm" };
      const loans = await db
        .selectFrom("applications")
        .select("id")
        .where("firm_org_id", "=", firm.org_id)
        .where("disbursed_date", "is not", null)
        .orderBy("id")
        .execute();
      // The loan with the most to claim (the first such, by id).
      let best: { id: number; amountFen: number } | null = null;
      for (const loan of loans) {
        const p = await previewSubsidy(db, actor, plan.programmeId, loan.id, today);
        if (p.eligibility.length > 0 || p.computation.amountFen <= 0) continue;
        if (!best || p.computation.amountFen > best.amountFen) {
          best = { id: loan.id, amountFen: p.computation.amountFen };
        }
      }
      if (!best) continue;
      const { claimId, state } = await fileSubsidyClaim(db, actor, {
        programmeId: plan.programmeId,
        applicationId: best.id,
        idempotencyKey: `seed-risk:${plan.programmeId}:${best.id}`,
        today,
      });
      const outcome = plan.outcomes[next++];
      if (outcome === "approve") {
        await decideSubsidyClaim(db, gov, claimId, { decision: "approve" });
      } else if (outcome === "reject") {
        await decideSubsidyClaim(db, gov, claimId, {
          decision: "reject",
          reason: "该笔贷款同期已享受市级贴息，不得重复申请（演示数据）",
        });
      }
      const final = outcome === "approve" ? "approved" : outcome === "reject" ? "rejected" : state;
      states[final] = (states[final] ?? 0) + 1;
    }
  }
  return states;
}
