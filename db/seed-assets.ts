import {
  checkPatent,
  checkTrademark,
  type PatentRecord,
  type TrademarkRecord,
} from "../app/domain/asset";
import {
  neutralIndicators,
  valuationDefaults,
  valuationFirm,
  type ValuationFormInputs,
} from "../app/domain/asset-valuation";
import { addDays, addMonthsClamped, addYearsClamped, type PatentKind } from "../app/domain/ip";
import { makePatentNumber } from "../app/domain/patent";
import type { Rating } from "../app/domain/valuation";
import { createAsset, type AssetRecord, type FirmActor } from "../app/models/asset.server";
import { createIndicativeEstimate } from "../app/models/valuation.server";
import type { Db } from "../app/utils/db.server";
import { todayInChina } from "../app/utils/time";
import type { ExtraSeeder } from "./seed";

/**
 * Demo IP assets: most demo firms list 2–6 patents and trademarks that fit their industry — a mix
 * of inventions, utility models, designs and marks, some close to the end of their term, a couple
 * lapsed — and most assets in force carry an indicative estimate computed by the same model
 * functions the valuation page uses (industry defaults, a plausible revenue). Everything goes
 * through createAsset / createIndicativeEstimate, so the audit trail is the real one.
 * Numbers are generated with valid check digits (makePatentNumber) and are unique.
 */

/** Patent titles by GB/T 4754 section; sections without a list use GENERAL_TITLES. */
const TITLES_BY_INDUSTRY: Record<string, string[]> = {
  A: [
    "一种耐寒苜蓿种植方法",
    "一种牧草青贮打捆装置",
    "一种马铃薯脱毒种薯繁育方法",
    "一种牛羊智能饲喂系统",
    "一种沙地节水滴灌装置",
    "一种羊只电子耳标识别系统",
  ],
  B: [
    "一种煤矿巷道智能支护装置",
    "一种稀土矿选矿药剂及其制备方法",
    "一种露天矿边坡监测系统",
    "一种萤石浮选工艺",
  ],
  C: [
    "一种稀土永磁材料的制备方法",
    "一种羊绒纤维分梳装置",
    "一种高纯石墨提纯工艺",
    "一种乳清蛋白分离方法",
    "一种风电叶片用复合材料",
    "一种耐磨钢板的轧制方法",
    "一种蒙药制剂的提取工艺",
    "一种光伏支架连接件",
  ],
  D: [
    "一种风电机组齿轮箱在线监测方法",
    "一种光伏电站智能清扫机器人",
    "一种热电联产余热回收装置",
    "一种储能电池热管理系统",
  ],
  G: ["一种冷链运输温度监控装置", "一种物流托盘自动识别系统", "一种冷藏车厢体保温结构"],
  I: [
    "一种基于区块链的供应链溯源方法",
    "一种草原生态遥感监测系统",
    "一种政务数据共享交换平台",
    "一种牧区远程诊疗系统",
  ],
  M: ["一种稀土元素快速检测方法", "一种土壤重金属检测装置", "一种羊绒细度检测仪"],
  N: ["一种沙化土地生态修复方法", "一种荒漠固沙草方格铺设机", "一种矿区废水处理装置"],
  R: ["一种沙漠旅游导览系统", "一种民族乐器共鸣箱结构"],
};
const GENERAL_TITLES = ["一种节能控制装置", "一种智能监测系统", "一种复合材料及其制备方法"];
const DESIGN_TITLES = [
  "包装盒（草原礼品）",
  "奶茶杯",
  "蒙古包式展示柜",
  "马头琴造型摆件",
  "羊绒围巾",
];
const BRAND_NAMES = [
  "青城",
  "鹿城",
  "草原红",
  "科尔沁",
  "河套源",
  "塞外",
  "北疆",
  "蒙源",
  "敕勒川",
  "大青山",
  "阴山",
  "额济纳",
  "锡林",
  "乌珠穆沁",
  "查干",
  "苍狼",
];
const MARK_SUFFIXES = ["", "", "牧歌", "优品", "天成"];
/** A utility model protects a product's shape or structure, never a method or a material (专利法 第二条). */
const METHOD_TITLE = /方法|工艺|材料|制剂|药剂/;
const NICE_BY_INDUSTRY: Record<string, number[]> = {
  A: [29, 31, 30],
  B: [1, 4],
  C: [1, 5, 25, 29, 33, 7],
  D: [4, 40],
  G: [39],
  I: [9, 42],
  M: [42],
  N: [37, 40],
  R: [41, 43],
};

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}

function randomDateIn(rand: () => number, year: number): string {
  const month = 1 + Math.floor(rand() * 12);
  const day = 1 + Math.floor(rand() * 28);
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

interface FirmRow {
  orgId: number;
  userId: number;
  name: string;
  industry: string | null;
  highTech: number;
}

const TYPE_DIGIT: Record<PatentKind, number> = { invention: 1, utility_model: 2, design: 3 };

export const seedAssets: ExtraSeeder = async (db, { rand, log }) => {
  const today = todayInChina();
  const thisYear = yearOf(today);
  const firms = await firmsWithUser(db);
  const usedSerials = new Set<number>();
  const usedMarks = new Set<string>();
  let assets = 0;
  let estimates = 0;
  let lapsed = 0;

  for (const [index, firm] of firms.entries()) {
    // Most firms list something; every eighth (never the demo log-in, index 0) has not yet.
    if (index % 8 === 7) continue;
    const actor: FirmActor = { orgId: firm.orgId, userId: firm.userId };
    const section = firm.industry ?? "C";
    const count = 2 + Math.floor(rand() * 5);
    const titles = [...(TITLES_BY_INDUSTRY[section] ?? GENERAL_TITLES)];
    for (let i = 0; i < count; i++) {
      const r = rand();
      // Two firms also hold a patent that lapsed for unpaid annual fees.
      const lapse = i === count - 1 && (index === 2 || index === 9);
      let record: AssetRecord;
      if (r < 0.25 && !lapse) {
        record = trademark(rand, firm, section, today, usedMarks);
      } else {
        // The third asset of every third firm is a utility model close to the end of its term.
        const nearExpiry = i === 2 && index % 3 === 0;
        const kind: PatentKind = nearExpiry
          ? "utility_model"
          : r < 0.6
            ? "invention"
            : r < 0.88
              ? "utility_model"
              : "design";
        const candidates = titles.filter((x) => kind === "invention" || !METHOD_TITLE.test(x));
        const chosen = candidates.length ? pick(rand, candidates) : null;
        if (chosen) titles.splice(titles.indexOf(chosen), 1);
        const title =
          kind === "design" ? pick(rand, DESIGN_TITLES) : (chosen ?? "一种节能控制装置");
        record = patent(rand, {
          kind,
          title,
          today,
          thisYear,
          nearExpiry,
          lapse,
          usedSerials,
        });
        if (lapse) lapsed++;
      }
      const assetId = await createAsset(db, actor, record);
      assets++;
      const inForce =
        (record.status === "granted" || record.status === "registered") &&
        record.expiryDate > today;
      if (inForce && rand() < 0.85) {
        await createIndicativeEstimate(
          db,
          actor,
          assetId,
          valuationInputs(rand, record, firm),
          today,
        );
        estimates++;
      }
    }
  }
  log(`seeded ${assets} IP assets (${lapsed} lapsed) with ${estimates} indicative estimates`);
};

async function firmsWithUser(db: Db): Promise<FirmRow[]> {
  const rows = await db
    .selectFrom("organisations")
    .innerJoin("users", "users.org_id", "organisations.id")
    .select([
      "organisations.id as orgId",
      "users.id as userId",
      "organisations.name",
      "organisations.industry_section as industry",
      "organisations.flag_high_tech as highTech",
    ])
    .where("organisations.kind", "=", "firm")
    .where("users.role", "=", "firm")
    .orderBy("organisations.id")
    .orderBy("users.id")
    .execute();
  const seen = new Set<number>();
  return rows.filter((r) => (seen.has(r.orgId) ? false : (seen.add(r.orgId), true)));
}

function patent(
  rand: () => number,
  o: {
    kind: PatentKind;
    title: string;
    today: string;
    thisYear: number;
    nearExpiry: boolean;
    lapse: boolean;
    usedSerials: Set<number>;
  },
): PatentRecord {
  let filingDate: string;
  if (o.nearExpiry) {
    // A utility model's 10 years end 2–11 months from today.
    filingDate = addMonthsClamped(addYearsClamped(o.today, -10), 2 + Math.floor(rand() * 10));
  } else {
    const span = o.kind === "invention" ? 14 : o.kind === "utility_model" ? 8 : 5;
    const year = o.thisYear - 1 - Math.floor(rand() * span);
    filingDate = randomDateIn(rand, year);
    if (filingDate > o.today) filingDate = addYearsClamped(filingDate, -1);
  }
  let serial: number;
  do serial = 100_000 + Math.floor(rand() * 9_000_000);
  while (o.usedSerials.has(serial));
  o.usedSerials.add(serial);
  const examinationMonths =
    o.kind === "invention" ? 24 + Math.floor(rand() * 18) : 6 + Math.floor(rand() * 6);
  const grantDate = addMonthsClamped(filingDate, examinationMonths);
  const granted = grantDate <= o.today;
  const r = checkPatent(
    {
      number: makePatentNumber(yearOf(filingDate), TYPE_DIGIT[o.kind], serial),
      title: o.title,
      status: o.lapse ? "lapsed" : granted ? "granted" : "pending",
      filingDate,
      grantDate: granted ? grantDate : "",
      ipcClass: null,
      claimsCount: o.kind === "design" ? null : 3 + Math.floor(rand() * 15),
      coOwned: rand() < 0.1,
    },
    o.today,
  );
  if (!r.ok) throw new Error(`demo patent is invalid: ${JSON.stringify(r.problems)}`);
  return r.value;
}

function trademark(
  rand: () => number,
  firm: FirmRow,
  section: string,
  today: string,
  used: Set<string>,
): TrademarkRecord {
  // One house brand per firm (by its id), registered in one or more classes.
  const title = BRAND_NAMES[firm.orgId % BRAND_NAMES.length] + pick(rand, MARK_SUFFIXES);
  let number: string;
  do number = String(10_000_000 + Math.floor(rand() * 50_000_000));
  while (used.has(number));
  used.add(number);
  const registrationDate = addDays(today, -Math.floor(365 * (1 + rand() * 14)));
  // Marks registered more than ~9 years ago have been renewed once.
  const renewals = addYearsClamped(registrationDate, 9) <= today ? 1 : 0;
  const r = checkTrademark(
    {
      number,
      title,
      status: "registered",
      niceClass: pick(rand, NICE_BY_INDUSTRY[section] ?? [35]),
      trademarkKind: "ordinary",
      geoIndication: false,
      wellKnown: rand() < 0.06,
      registrationDate,
      renewals,
    },
    today,
  );
  if (!r.ok) throw new Error(`demo trademark is invalid: ${JSON.stringify(r.problems)}`);
  return r.value;
}

/** The industry defaults with the firm's own revenue and, for some patents, a value-degree score. */
function valuationInputs(
  rand: () => number,
  record: AssetRecord,
  firm: FirmRow,
): ValuationFormInputs {
  const d = valuationDefaults(
    { ipType: record.ipType },
    valuationFirm({ industry_section: firm.industry, flag_high_tech: firm.highTech }),
  );
  // ¥1m – ¥40m of revenue from the products using the asset, in whole ¥10k.
  const revenueWan = 100 + Math.floor(rand() * 3900);
  let indicators = null;
  if (record.assetKind === "patent" && rand() < 0.6) {
    const score = (): Rating => (2 + Math.floor(rand() * 4)) as Rating;
    indicators = {
      ...neutralIndicators(record.ipType, record.claimsCount, record.coOwned),
      advancement: score(),
      nonSubstitutability: score(),
      marketSize: score(),
      policyFit: score(),
    };
  }
  return {
    year1RevenueFen: revenueWan * 1_000_000,
    growthBp: d.growthBp,
    royaltyRateBp: d.royaltyRateBp,
    discountRateBp: d.discountRateBp,
    taxRateBp: d.taxRateBp,
    attributionShareBp: d.attributionShareBp,
    economicLifeYears: d.economicLifeYears,
    indicators,
  };
}
