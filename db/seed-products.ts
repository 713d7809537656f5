import { evaluateProduct, matchRequest } from "../app/domain/matching";
import type { LoanProductTerms } from "../app/domain/product";
import {
  firmProfileFromRequest,
  offeredAssetFromRow,
  productTermsFromRow,
  requestFirmColumns,
} from "../app/domain/matching/rows";
import { createProduct, setProductActive, type ProductInput } from "../app/models/product.server";
import { closeRequest, createRequest, listOfferableAssets } from "../app/models/request.server";
import type { Db } from "../app/utils/db.server";
import { todayInChina } from "../app/utils/time";
import type { ExtraSeeder } from "./seed";

/**
 * Demo loan products and financing requests, after the assets and appraisals seeders: eight
 * products of the three demo banks (province-wide and local ones, a 专精特新-only one, a
 * trademark product that pre-matches on indicative values, a paused one) and about fifteen open
 * requests of demo firms, each offering its assets in force. Amounts are set from what the firm's
 * assets can lend under the products, so firm01's first request has real matches and near
 * misses, its second falls short on collateral, and officer1@nmgbank.demo has a pipeline.
 */

const WAN = 1_000_000; // fen per 万元
const YI = 10_000_000_000; // fen per 亿元

type Spec = { bank: string; paused?: boolean; input: ProductInput };

const base = {
  minRemainingYears: { invention: 5, utility_model: 3, design: 2, trademark: 0 },
  trademarkMinAgeYears: 3,
  regions: "all",
  industries: "all",
  requiredFlags: [],
  requiresFormalAppraisal: true,
  riskShare: { governmentBp: 0, insurerBp: 0, guarantorBp: 0 },
  interestSubsidyBp: 0,
} satisfies Partial<ProductInput>;

const PRODUCTS: Spec[] = [
  {
    bank: "nmgbank",
    input: {
      ...base,
      name: "草原知识产权质押贷",
      description:
        "面向全区科技型中小企业，以发明、实用新型、外观设计专利和注册商标质押，政府风险补偿资金池分担 30%，贴息 30%。（演示数据）",
      minAmountFen: 50 * WAN,
      maxAmountFen: 3000 * WAN,
      minTermMonths: 6,
      maxTermMonths: 36,
      minRateBp: 365,
      maxRateBp: 500,
      pledgeRateBp: { invention: 3500, utility_model: 2000, design: 1500, trademark: 4500 },
      acceptedIpTypes: ["invention", "utility_model", "design", "trademark"],
      quotaTotalFen: 5 * YI,
      riskShare: { governmentBp: 3000, insurerBp: 1000, guarantorBp: 0 },
      interestSubsidyBp: 3000,
    },
  },
  {
    bank: "nmgbank",
    input: {
      ...base,
      name: "专精特新知产贷",
      description: "仅面向“专精特新”企业，质押率更高，贴息 50%。（演示数据）",
      minAmountFen: 100 * WAN,
      maxAmountFen: 5000 * WAN,
      minTermMonths: 12,
      maxTermMonths: 36,
      minRateBp: 345,
      maxRateBp: 450,
      pledgeRateBp: { invention: 4000, utility_model: 2500, design: 0, trademark: 5000 },
      acceptedIpTypes: ["invention", "utility_model", "trademark"],
      requiredFlags: ["specialised"],
      quotaTotalFen: 3 * YI,
      riskShare: { governmentBp: 4000, insurerBp: 0, guarantorBp: 0 },
      interestSubsidyBp: 5000,
    },
  },
  {
    bank: "nmgbank",
    input: {
      ...base,
      name: "商标快贷",
      description: "以注册满一年的商标质押，可先凭参考估值匹配，放款前完成正式评估。（演示数据）",
      minAmountFen: 20 * WAN,
      maxAmountFen: 500 * WAN,
      minTermMonths: 6,
      maxTermMonths: 24,
      minRateBp: 420,
      maxRateBp: 550,
      pledgeRateBp: { invention: 0, utility_model: 0, design: 0, trademark: 5000 },
      acceptedIpTypes: ["trademark"],
      trademarkMinAgeYears: 1,
      requiresFormalAppraisal: false,
      quotaTotalFen: 1 * YI,
    },
  },
  {
    bank: "baotoubank",
    input: {
      ...base,
      name: "鹿城科创贷",
      description:
        "包头、鄂尔多斯两地制造业、软件和科技服务企业的专利质押贷款，担保公司分担 30%。（演示数据）",
      minAmountFen: 50 * WAN,
      maxAmountFen: 2000 * WAN,
      minTermMonths: 6,
      maxTermMonths: 36,
      minRateBp: 385,
      maxRateBp: 520,
      pledgeRateBp: { invention: 3000, utility_model: 2000, design: 0, trademark: 0 },
      acceptedIpTypes: ["invention", "utility_model"],
      regions: ["150200", "150600"],
      industries: ["C", "I", "M"],
      quotaTotalFen: 2 * YI,
      riskShare: { governmentBp: 0, insurerBp: 0, guarantorBp: 3000 },
    },
  },
  {
    bank: "baotoubank",
    input: {
      ...base,
      name: "稀土新材料专利贷",
      description: "包头市高新技术企业以发明专利质押，剩余保护期须满 8 年。（演示数据）",
      minAmountFen: 100 * WAN,
      maxAmountFen: 3000 * WAN,
      minTermMonths: 12,
      maxTermMonths: 36,
      minRateBp: 360,
      maxRateBp: 480,
      pledgeRateBp: { invention: 4000, utility_model: 0, design: 0, trademark: 0 },
      acceptedIpTypes: ["invention"],
      minRemainingYears: { invention: 8, utility_model: 0, design: 0, trademark: 0 },
      regions: ["150200"],
      industries: ["B", "C"],
      requiredFlags: ["high_tech"],
      quotaTotalFen: 1 * YI,
    },
  },
  {
    bank: "nongshang",
    input: {
      ...base,
      name: "农牧业知识产权贷",
      description:
        "东部和中部盟市农牧业、食品加工企业，可凭参考估值预匹配，政府与保险共担 40%，贴息 20%。（演示数据）",
      minAmountFen: 10 * WAN,
      maxAmountFen: 1000 * WAN,
      minTermMonths: 6,
      maxTermMonths: 36,
      minRateBp: 400,
      maxRateBp: 550,
      pledgeRateBp: { invention: 2500, utility_model: 1500, design: 1000, trademark: 4000 },
      acceptedIpTypes: ["invention", "utility_model", "design", "trademark"],
      regions: ["150400", "150500", "150700", "150800", "150900", "152200", "152500"],
      industries: ["A", "C"],
      requiresFormalAppraisal: false,
      quotaTotalFen: 1.5 * YI,
      riskShare: { governmentBp: 2000, insurerBp: 2000, guarantorBp: 0 },
      interestSubsidyBp: 2000,
    },
  },
  {
    bank: "nongshang",
    input: {
      ...base,
      name: "绿色知产融",
      description: "能源、环保与制造业企业的专利和商标质押贷款，期限最长 5 年。（演示数据）",
      minAmountFen: 50 * WAN,
      maxAmountFen: 1500 * WAN,
      minTermMonths: 12,
      maxTermMonths: 60,
      minRateBp: 390,
      maxRateBp: 500,
      pledgeRateBp: { invention: 3000, utility_model: 2000, design: 0, trademark: 3000 },
      acceptedIpTypes: ["invention", "utility_model", "trademark"],
      industries: ["C", "D", "N"],
      quotaTotalFen: 2 * YI,
    },
  },
  {
    bank: "nongshang",
    paused: true,
    input: {
      ...base,
      name: "小微知产贷",
      description: "额度用完前暂停受理。（演示数据）",
      minAmountFen: 10 * WAN,
      maxAmountFen: 300 * WAN,
      minTermMonths: 6,
      maxTermMonths: 24,
      minRateBp: 430,
      maxRateBp: 560,
      pledgeRateBp: { invention: 2500, utility_model: 1500, design: 1000, trademark: 4000 },
      acceptedIpTypes: ["invention", "utility_model", "design", "trademark"],
      quotaTotalFen: 1 * YI,
    },
  },
];

const PURPOSES = [
  "采购生产设备",
  "补充流动资金",
  "研发投入",
  "扩建生产线",
  "技术改造",
  "原材料采购",
];

async function officer(db: Db, bankKey: string) {
  return db
    .selectFrom("users")
    .select(["id", "org_id"])
    .where("email", "=", `officer1@${bankKey}.demo`)
    .executeTakeFirst();
}

/** Rounds down to 10万元, at least 10万元. */
const round10Wan = (fen: number) => Math.max(10 * WAN, Math.floor(fen / (10 * WAN)) * 10 * WAN);

export const seedProducts: ExtraSeeder = async (db, { rand, log }) => {
  const today = todayInChina();
  const created: LoanProductTerms[] = [];
  for (const spec of PRODUCTS) {
    const user = await officer(db, spec.bank);
    if (!user) return log(`products: demo bank ${spec.bank} missing, skipped`);
    const id = await createProduct(db, {
      bankOrgId: user.org_id,
      userId: user.id,
      input: spec.input,
    });
    if (spec.paused) {
      await setProductActive(db, {
        bankOrgId: user.org_id,
        userId: user.id,
        productId: id,
        expectedVersion: 1,
        active: false,
      });
    }
    const row = await db
      .selectFrom("loan_products")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    created.push(productTermsFromRow(row));
  }
  const active = created.filter((p) => p.active);

  const firms = await db
    .selectFrom("users")
    .select(["id", "org_id", "email"])
    .where("role", "=", "firm")
    .where("email", "like", "firm%@firms.demo")
    .orderBy("email")
    .execute();
  let requests = 0;
  for (const firm of firms) {
    if (requests >= 15) break;
    const assets = (await listOfferableAssets(db, firm.org_id, today)).filter((a) => a.inForce);
    if (assets.length === 0) continue;
    const assetIds = assets.map((a) => a.id);
    // What the assets lend under each product, as the engine sees it (a request of 1 fen).
    const org = await db
      .selectFrom("organisations")
      .selectAll()
      .where("id", "=", firm.org_id)
      .executeTakeFirstOrThrow();
    const profile = firmProfileFromRequest({
      ...requestFirmColumns(org),
      id: 0,
      firm_org_id: firm.org_id,
      amount_fen: 1,
      term_months: 24,
      max_rate_bp: 600,
    });
    const stub = {
      id: 0,
      firmOrgId: firm.org_id,
      amountFen: 1,
      termMonths: 24,
      maxRateBp: 600,
      offeredAssetIds: assetIds,
    };
    const offered = assets.map((a) => offeredAssetFromRow(a, today));
    const capacities = active
      .map((p) => evaluateProduct(stub, profile, offered, p, today).capacityFen)
      .filter((c) => c > 0)
      .sort((a, b) => b - a);
    if (capacities.length === 0) continue;
    const best = capacities[0];
    const isFirm01 = firm.email === "firm01@firms.demo";
    // Most requests fit the best product with room to spare. firm01's first request asks for an
    // amount some products cover and others just miss; its second asks for more than its IP can
    // carry anywhere, so the collateral shortfall shows.
    let amounts = [round10Wan(best * (0.4 + rand() * 0.5))];
    if (isFirm01) {
      // The most matches while at least one product still misses by one rule.
      const fits = (amountFen: number) => {
        const r = matchRequest({ ...stub, amountFen }, profile, offered, active, today);
        return r.nearMisses.length > 0 ? r.matches.length : -1;
      };
      const candidates = [...new Set(capacities.map(round10Wan))];
      const first = candidates.reduce(
        (a, c) => (fits(c) > fits(a) ? c : a),
        round10Wan(best * 0.6),
      );
      amounts = [first, round10Wan(best * 1.6)];
    }
    for (const amountFen of amounts) {
      const id = await createRequest(db, {
        firmOrgId: firm.org_id,
        userId: firm.id,
        input: {
          amountFen,
          termMonths: isFirm01 ? 24 : [12, 18, 24, 36][Math.floor(rand() * 4)],
          maxRateBp: isFirm01 ? 480 : 450 + Math.floor(rand() * 10) * 10,
          purpose: PURPOSES[Math.floor(rand() * PURPOSES.length)],
          assetIds,
        },
      });
      requests++;
      // One older request was closed by its firm.
      if (firm.email === "firm03@firms.demo") {
        await closeRequest(db, {
          firmOrgId: firm.org_id,
          userId: firm.id,
          requestId: id,
          expectedVersion: 1,
        });
      }
    }
  }
  log(`seeded ${created.length} loan products and ${requests} financing requests`);
};
