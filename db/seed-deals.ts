import type { IpType } from "../app/domain/ip";
import { addDays, addMonthsClamped } from "../app/domain/ip";
import { makePatentNumber, statutoryExpiry } from "../app/domain/patent";
import { addMonths, monthsInclusive } from "../app/domain/progress";
import { trademarkExpiry } from "../app/domain/trademark";
import {
  approveApplication,
  createApplicationDraft,
  disburseApplication,
  registerPledge,
  rejectApplication,
  startReview,
  submitApplication,
  withdrawApplication,
} from "../app/models/application.server";
import {
  createAppraisalOrder,
  signAppraisalOrder,
  startAppraisalWork,
  type Actor as AppraisalActor,
} from "../app/models/appraisal.server";
import { createAsset } from "../app/models/asset.server";
import { markOfflinePaid } from "../app/models/payment.server";
import { createProduct } from "../app/models/product.server";
import { closeRequest, createRequest } from "../app/models/request.server";
import type { Db } from "../app/utils/db.server";
import { nowInstant, replayAt, todayInChina } from "../app/utils/time";
import type { ExtraSeeder } from "./seed";
import { DEMO_VALUER_LICENCE } from "./seed-appraisals";
import { runDailyJobs } from "../app/models/servicing/jobs.server";
import { replayServicing, seedRepaymentMethod, type ServicedLoan } from "./seed-servicing";

/**
 * The deal history behind the running total: about 380 applications to the three demo banks from
 * the 30 demo firms in the 12 盟市, with value dates from January 2022 to last month, growing over
 * time. Every deal goes through the same model functions as the app — an asset listed
 * (createAsset), appraised (order → offline payment → signature dated before the approval),
 * applied for, submitted, reviewed, approved on its historical day, registered, disbursed — and
 * then repaid, defaulted or still running; some are rejected or withdrawn, and the most recent are
 * still in the pipeline. So `npm run reconcile` passes on the demo, and every figure on the home
 * page has real ledger rows behind it.
 *
 * Each deal pledges assets listed for it (a firm's earlier pledges may still be locked). Only the
 * indicative value is set directly: the order needs one, and the firm's valuation form is not part
 * of the deal history. The demo firm (firm01) also gets two appraised assets left free, so the
 * apply → disburse path can be tried at once. Notifications of the replayed history are marked
 * read except each user's latest three.
 */

const DEALS = 380;
const SERIAL_BASE = 7_300_000; // patent serials used only by this seeder
const TRADEMARK_BASE = 63_000_000;

interface Party {
  id: number;
  org_id: number;
  role: "firm" | "bank_officer" | "admin" | "valuer";
}

const TITLES: Record<IpType, string[]> = {
  invention: [
    "一种稀土永磁材料的制备方法",
    "基于深度学习的牧草长势监测方法",
    "一种煤化工废水深度处理工艺",
    "羊绒纤维细度在线检测装置及方法",
    "一种风电叶片除冰控制系统",
    "马铃薯脱毒种薯快繁方法",
    "一种石墨烯导热膜及其制备方法",
    "乳制品益生菌复合发酵工艺",
  ],
  utility_model: [
    "一种光伏组件自动清扫装置",
    "一种牧区智能饮水槽",
    "一种氢燃料电池散热结构",
    "一种冷链运输温控箱",
    "一种沙地固沙网格铺设机",
  ],
  design: ["蒙古族纹样包装盒", "便携式奶茶壶", "民族风格文创摆件"],
  trademark: ["草原鲜", "河套情", "阿拉善胡杨", "锡林牧歌", "科尔沁牛", "塞外绒"],
};

const ASSUMPTIONS =
  "收益期按剩余保护期与经济寿命孰短确定；许可费率参照同行业可比交易；折现率 12%；企业持续经营（演示数据）。";

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}

async function userByEmail(db: Db, email: string): Promise<Party | undefined> {
  return (await db
    .selectFrom("users")
    .select(["id", "org_id", "role"])
    .where("email", "=", email)
    .executeTakeFirst()) as Party | undefined;
}

async function firstUsers(db: Db, role: "firm" | "bank_officer") {
  const rows = await db
    .selectFrom("users")
    .innerJoin("organisations", "organisations.id", "users.org_id")
    .select(["users.id", "users.org_id", "users.email", "organisations.region_code"])
    .where("users.role", "=", role)
    .orderBy("users.org_id")
    .orderBy("users.id")
    .execute();
  const byOrg = new Map<number, (typeof rows)[number]>();
  for (const r of rows) if (!byOrg.has(r.org_id)) byOrg.set(r.org_id, r);
  return [...byOrg.values()];
}

export const seedDeals: ExtraSeeder = async (db, { rand, log }) => {
  const started = Date.now();
  const admin = await userByEmail(db, "admin@zhirong.demo");
  const valuer = await userByEmail(db, "appraiser@valuer.demo");
  const banks = await firstUsers(db, "bank_officer");
  const firms = (await firstUsers(db, "firm")).filter((f) => f.region_code);
  if (!admin || !valuer || banks.length === 0 || firms.length === 0) {
    return log("applications: demo admin, valuer, banks or firms missing, skipped");
  }
  const today = todayInChina();
  const lastFullMonth = addMonths(today.slice(0, 7), -1);

  // One demo product per bank, generous enough for the whole history.
  const products: { id: number; bank: (typeof banks)[number]; rates: Record<IpType, number> }[] =
    [];
  const productNames = ["知识产权质押贷", "科创知识产权融", "专利商标质押贷"];
  for (const [i, bank] of banks.entries()) {
    const rates: Record<IpType, number> = {
      invention: 4000 - i * 500,
      utility_model: 3000 - i * 500,
      design: 2000,
      trademark: 5000,
    };
    const id = await createProduct(db, {
      bankOrgId: bank.org_id,
      userId: bank.id,
      input: {
        name: `${productNames[i % productNames.length]}（历史业务）`,
        description:
          "面向区内科技型中小企业的知识产权质押贷款，可质押发明、实用新型、外观设计专利及注册商标。（演示数据）",
        minAmountFen: 50_000_000,
        maxAmountFen: 10_000_000_000,
        minTermMonths: 6,
        maxTermMonths: 36,
        minRateBp: 300,
        maxRateBp: 480,
        pledgeRateBp: rates,
        acceptedIpTypes: ["invention", "utility_model", "design", "trademark"],
        minRemainingYears: { invention: 3, utility_model: 2, design: 2, trademark: 0 },
        trademarkMinAgeYears: 1,
        regions: "all",
        industries: "all",
        requiredFlags: [],
        requiresFormalAppraisal: true,
        quotaTotalFen: 800_000_000_000, // 80亿元
        riskShare: { governmentBp: 3000, insurerBp: 2000, guarantorBp: 0 },
        interestSubsidyBp: 3000,
      },
    });
    products.push({ id, bank, rates });
  }

  // Value months from 2022-01 to last month, weighted so the flow grows over the years.
  const months: string[] = [];
  for (let m = "2022-01"; m <= lastFullMonth; m = addMonths(m, 1)) months.push(m);
  if (months.length === 0) return log("applications: no history before today, skipped");
  const weights = months.map((_, i) => 4 + i * 1.2);
  const totalWeight = weights.reduce((s, w) => s + w, 0);
  const pickMonth = () => {
    let x = rand() * totalWeight;
    for (let i = 0; i < months.length; i++) {
      x -= weights[i];
      if (x < 0) return months[i];
    }
    return months[months.length - 1];
  };

  let serial = SERIAL_BASE;
  let tmNumber = TRADEMARK_BASE;
  const firmActor = (f: (typeof firms)[number]) => ({ userId: f.id, orgId: f.org_id });
  const bankActor = (b: (typeof banks)[number]) => ({ userId: b.id, orgId: b.org_id });

  /** Lists assets for a deal and has them appraised (signed on `signedDate`) at `valueFen` total. */
  async function appraisedAssets(
    firm: (typeof firms)[number],
    types: IpType[],
    totalValueFen: number,
    signedDate: string,
  ): Promise<number[]> {
    const ids: number[] = [];
    const year = Number(signedDate.slice(0, 4));
    for (const [k, ipType] of types.entries()) {
      const title = pick(rand, TITLES[ipType]);
      let id: number;
      if (ipType === "trademark") {
        const registrationDate = addDays(signedDate, -(400 + Math.floor(rand() * 2500)));
        id = await createAsset(db, firmActor(firm), {
          assetKind: "trademark",
          ipType: "trademark",
          number: String(tmNumber++),
          title,
          status: "registered",
          niceClass: 1 + Math.floor(rand() * 45),
          trademarkKind: "ordinary",
          geoIndication: false,
          wellKnown: false,
          registrationDate,
          renewals: 0,
          expiryDate: trademarkExpiry(registrationDate, 0),
        });
      } else {
        const filingYear = Math.max(2008, year - 2 - Math.floor(rand() * 5));
        const typeDigit = ipType === "invention" ? 1 : ipType === "utility_model" ? 2 : 3;
        const filingDate = `${filingYear}-${String(1 + Math.floor(rand() * 12)).padStart(2, "0")}-${String(1 + Math.floor(rand() * 28)).padStart(2, "0")}`;
        const grantDate = addMonthsClamped(filingDate, ipType === "invention" ? 20 : 8);
        id = await createAsset(db, firmActor(firm), {
          assetKind: "patent",
          ipType,
          number: makePatentNumber(filingYear, typeDigit, serial++),
          isPct: false,
          title,
          status: "granted",
          filingDate,
          grantDate: grantDate < signedDate ? grantDate : signedDate,
          ipcClass: null,
          claimsCount: 6 + Math.floor(rand() * 12),
          coOwned: false,
          expiryDate: statutoryExpiry(ipType, filingDate),
        });
      }
      // Split the value: the first asset carries most of it.
      const share = types.length === 1 ? 1 : k === 0 ? 0.65 : 0.35 / (types.length - 1);
      const value = Math.max(1_000_000, Math.round((totalValueFen * share) / 100_000) * 100_000);
      await db
        .updateTable("ip_assets")
        .set({ indicative_value_fen: value })
        .where("id", "=", id)
        .execute();
      ids.push(id);
    }
    const firmParty: AppraisalActor = { id: firm.id, org_id: firm.org_id, role: "firm" };
    const orderedDate = addDays(signedDate, -10);
    const { orderId } = await createAppraisalOrder(
      db,
      firmParty,
      { assetIds: ids, valuerOrgId: valuer!.org_id },
      { paymentMode: "offline", now: `${orderedDate} 02:00:00.000` },
    );
    await markOfflinePaid(
      db,
      admin as AppraisalActor,
      orderId,
      1,
      { reference: `DEMO-D${String(orderId).padStart(7, "0")}` },
      { now: `${addDays(orderedDate, 1)} 03:00:00.000` },
    );
    await startAppraisalWork(db, valuer as AppraisalActor, orderId, 2);
    const values = await db
      .selectFrom("ip_assets")
      .select(["id", "title", "indicative_value_fen"])
      .where("id", "in", ids)
      .orderBy("id")
      .execute();
    await signAppraisalOrder(
      db,
      valuer as AppraisalActor,
      orderId,
      3,
      values.map((v) => {
        const central = Number(v.indicative_value_fen);
        return {
          assetId: v.id,
          lowFen: Math.round(central * 0.9),
          centralFen: central,
          highFen: Math.round(central * 1.1),
          method: "income" as const,
          assumptions: ASSUMPTIONS,
          reportText: `对“${v.title}”于 ${signedDate} 的市场价值进行评估，供办理知识产权质押融资使用（演示数据）。`,
        };
      }),
      { signedDate, now: `${signedDate} 08:00:00.000`, valuerLicenceNumber: DEMO_VALUER_LICENCE },
    );
    return ids;
  }

  function assetTypes(): IpType[] {
    const r = rand();
    const first: IpType =
      r < 0.45 ? "invention" : r < 0.72 ? "utility_model" : r < 0.94 ? "trademark" : "design";
    if (rand() < 0.65) return [first];
    const second: IpType = rand() < 0.5 ? "trademark" : "utility_model";
    return [first, second];
  }

  /** 50万 … 8000万元, log-skewed toward a few million (median ≈ 400万元). */
  function amountFen(): number {
    const t = Math.pow(rand(), 1.3);
    const yuan = Math.exp(Math.log(500_000) + t * (Math.log(80_000_000) - Math.log(500_000)));
    return Math.round(yuan / 10_000) * 1_000_000; // whole 万元
  }

  interface Plan {
    firm: (typeof firms)[number];
    product: (typeof products)[number];
    month: string;
    outcome: "disbursed" | "rejected" | "withdrawn" | "pipeline";
  }
  const plans: Plan[] = [];
  for (let i = 0; i < DEALS; i++) {
    const r = rand();
    plans.push({
      // The demo firm (firm01) gets a few deals like any other; the rest spread evenly.
      firm: firms[Math.floor(rand() * firms.length)],
      product: products[Math.floor(rand() * products.length)],
      month: pickMonth(),
      outcome: r < 0.87 ? "disbursed" : r < 0.93 ? "rejected" : r < 0.96 ? "withdrawn" : "pipeline",
    });
  }
  plans.sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));

  let disbursed = 0;
  const loans: ServicedLoan[] = [];
  let pipeline = 0;
  let closedEarly = 0;
  for (const [n, plan] of plans.entries()) {
    const { firm, product } = plan;
    const bank = product.bank;
    const inPipeline = plan.outcome === "pipeline";
    // Pipeline deals are this month's; the others are valued in their month.
    const valueDate = inPipeline
      ? today
      : `${plan.month}-${String(1 + Math.floor(rand() * 28)).padStart(2, "0")}`;
    const approvalDay = inPipeline ? today : addDays(valueDate, -(2 + Math.floor(rand() * 12)));
    const signedDate = addDays(approvalDay, -(5 + Math.floor(rand() * 50)));
    const amount = amountFen();
    const types = assetTypes();
    // Collateral worth 1.1–1.6× what the first type's pledge rate needs for the amount.
    const rate = Math.min(...types.map((ty) => product.rates[ty]));
    const totalValue = Math.ceil(((amount * 10_000) / rate) * (1.1 + rand() * 0.5));
    // Each step is replayed on its own day, in Beijing office hours, so the audit trail, the
    // stage timestamps and the alliance's time-in-stage figures read like real history.
    const realNow = Date.now();
    const at = (day: string, step: number) => {
      const utcHour = 1 + Math.min(7, step); // 09:00–16:00 in Beijing
      const t = new Date(
        `${day}T${String(utcHour).padStart(2, "0")}:${String(Math.floor(rand() * 60)).padStart(2, "0")}:00Z`,
      );
      return new Date(Math.min(t.getTime(), realNow));
    };
    const submitDay = addDays(approvalDay, -(3 + Math.floor(rand() * 12)));
    const reviewDay = addDays(submitDay, 1 + Math.floor(rand() * 2));
    const assetIds = await replayAt(at(signedDate, 0), () =>
      appraisedAssets(firm, types, totalValue, signedDate),
    );
    const termMonths = pick(rand, [6, 12, 12, 12, 18, 24, 24, 36]);
    const rateBp = 300 + Math.floor(rand() * 12) * 15;
    // Most firms arrive through a financing request and its match page; the rest apply straight
    // from the catalogue. The request is closed once the application is submitted.
    const requestId =
      rand() < 0.6
        ? await replayAt(at(submitDay, 0), () =>
            createRequest(db, {
              firmOrgId: firm.org_id,
              userId: firm.id,
              today: submitDay,
              input: {
                amountFen: amount,
                termMonths,
                maxRateBp: rateBp + 50,
                purpose: pick(rand, ["研发投入", "补充流动资金", "购置生产设备", "技术改造升级"]),
                assetIds,
              },
            }),
          )
        : null;
    const { applicationId: id } = await replayAt(at(submitDay, 1), () =>
      createApplicationDraft(db, {
        firmOrgId: firm.org_id,
        userId: firm.id,
        productId: product.id,
        requestId,
        amountFen: amount,
        termMonths,
        rateBp,
        assetIds,
      }),
    );
    let version = 1;
    const v = () => ({ applicationId: id, version: version++ });
    await replayAt(at(submitDay, 2), () => submitApplication(db, firmActor(firm), v()));
    if (requestId !== null) {
      const { version: requestVersion } = await db
        .selectFrom("financing_requests")
        .select("version")
        .where("id", "=", requestId)
        .executeTakeFirstOrThrow();
      await replayAt(at(submitDay, 2), () =>
        closeRequest(db, {
          firmOrgId: firm.org_id,
          userId: firm.id,
          requestId,
          expectedVersion: requestVersion,
        }),
      );
    }
    if (plan.outcome === "withdrawn") {
      await replayAt(at(reviewDay, 3), () =>
        withdrawApplication(db, firmActor(firm), { ...v(), reason: "已获其他渠道融资" }),
      );
      closedEarly++;
      continue;
    }
    if (inPipeline && rand() < 0.3) {
      pipeline++;
      continue; // submitted, waiting for the bank
    }
    await replayAt(at(reviewDay, 3), () => startReview(db, bankActor(bank), v()));
    if (plan.outcome === "rejected") {
      const reject = {
        ...v(),
        reason: pick(rand, [
          "质押专利剩余保护期较短，评估价值不足以覆盖贷款",
          "企业经营现金流不足以覆盖还款",
          "补充材料未在规定期限内提交",
        ]),
      };
      await replayAt(at(approvalDay, 4), () => rejectApplication(db, bankActor(bank), reject));
      closedEarly++;
      continue;
    }
    if (inPipeline && rand() < 0.4) {
      pipeline++;
      continue; // under review
    }
    const approval = {
      ...v(),
      amountFen: amount,
      rateBp,
      termMonths,
      day: approvalDay,
      repaymentMethod: seedRepaymentMethod(id),
    };
    await replayAt(at(approvalDay, 5), () => approveApplication(db, bankActor(bank), approval));
    if (inPipeline) {
      if (rand() < 0.5) {
        const reg = {
          ...v(),
          regNumber: `Y${today.replace(/-/g, "")}${String(id).padStart(6, "0")}`,
          regDate: today,
        };
        await replayAt(at(today, 6), () => registerPledge(db, bankActor(bank), reg));
      }
      pipeline++;
      continue;
    }
    const regDate = approvalDay < valueDate ? addDays(approvalDay, 1) : valueDate;
    const registration = {
      ...v(),
      regNumber: `Y${regDate.replace(/-/g, "")}${String(id).padStart(6, "0")}`,
      regDate: regDate <= valueDate ? regDate : valueDate,
    };
    await replayAt(at(registration.regDate, 6), () =>
      registerPledge(db, bankActor(bank), registration),
    );
    const disbursement = { ...v(), amountFen: amount, valueDate };
    await replayAt(at(valueDate, 7), () => disburseApplication(db, bankActor(bank), disbursement));
    disbursed++;
    const maturity = addMonthsClamped(valueDate, termMonths);
    // Matured loans were repaid, or (rarely) written off; the servicing replay below posts the
    // repayments and records the default (db/seed-servicing.ts). The draw stays here so the deal
    // history's random sequence is what it always was.
    const matured = maturity <= today;
    loans.push({
      applicationId: id,
      bank: { id: bank.id, org_id: bank.org_id },
      firm: { id: firm.id, org_id: firm.org_id },
      defaults: matured && rand() < 0.035,
    });
    // The draw that timed the closing step when this loop closed matured loans itself.
    if (matured) rand();
    if (n % 100 === 99) log(`  … ${n + 1} deals`);
  }

  // The demo firm keeps two appraised assets free, ready for a new application.
  const demoFirm = await userByEmail(db, "firm01@firms.demo");
  const demo = firms.find((f) => f.id === demoFirm?.id);
  if (demo)
    await appraisedAssets(demo, ["invention", "trademark"], 300_000_000, addDays(today, -20));

  const servicingStarted = Date.now();
  const servicing = await replayServicing(db, loans, today, admin);
  log(
    `servicing: ${servicing.entries} repayment entries (${servicing.prepaid} early repayments, ` +
      `${servicing.settledEarly} settled early), ${servicing.feesPaid} annual fees paid; loans by class ` +
      `${JSON.stringify(servicing.overdueByClass)} (${((Date.now() - servicingStarted) / 1000).toFixed(1)} s)`,
  );
  const repaid = servicing.repaid + servicing.settledEarly;
  const defaulted = servicing.defaulted;

  // The replayed history notified everyone of everything: keep each user's latest three unread.
  const users = await db.selectFrom("notifications").select("user_id").distinct().execute();
  for (const { user_id } of users) {
    const keep = await db
      .selectFrom("notifications")
      .select("id")
      .where("user_id", "=", user_id)
      .orderBy("id", "desc")
      .limit(3)
      .execute();
    let q = db
      .updateTable("notifications")
      .set({ read_at: nowInstant() })
      .where("user_id", "=", user_id)
      .where("read_at", "is", null);
    if (keep.length)
      q = q.where(
        "id",
        "not in",
        keep.map((k) => k.id),
      );
    await q.execute();
  }

  // Today's servicing checks, as the scheduler runs them each morning: the reminders of instalments
  // due, overdue loans and pledged patents' fees arrive (in-app and by mail) unread.
  await runDailyJobs(db, today);

  log(
    `seeded ${plans.length} applications over ${monthsInclusive(months[0], lastFullMonth)} months: ` +
      `${disbursed} disbursed (${repaid} repaid, ${defaulted} defaulted), ${closedEarly} rejected or withdrawn, ` +
      `${pipeline} in the pipeline (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
};
