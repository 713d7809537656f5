/**
 * Scale data for the matching benchmark: banks, firms with IP assets, financing requests and
 * loan products, generated with @faker-js/faker (zh_CN, fixed seed) so every run builds the same
 * marketplace, on the database DATABASE_URL points to (SQLite or MySQL/MariaDB).
 *
 *   npm run seed:scale -- [--products 10000] [--firms 20000] [--requests 100000] \
 *     [--applications 170000] [--seed 42]
 *
 * Besides the matching data it writes the deal flow (scripts/seed-scale-deals.ts): applications in
 * every state, the disbursement ledger, loan accounts with schedules and repayments, appraisals,
 * audit rows, and rebuilds the running totals from the ledger so `npm run reconcile` is clean.
 *
 * Rows are written with explicit ids in multi-row INSERTs of a few hundred rows each (one
 * transaction per table), so 10⁵ requests take seconds, not minutes. The run is recorded in
 * settings.scale_seed; a database that already has it is left alone.
 */
import { fakerZH_CN as faker } from "@faker-js/faker";
import { MysqlAdapter, sql } from "kysely";
import { pathToFileURL } from "node:url";
import type { Database, IpType } from "../db/schema";
import { ensureDatabaseExists } from "../db/ensure-database";
import { migrateToLatest } from "../db/migrate";
import { addDays, addMonthsClamped, addYearsClamped } from "../app/domain/ip";
import { FIRM_FLAGS, INDUSTRY_CODES, type FirmFlag } from "../app/domain/industry";
import { makePatentNumber } from "../app/domain/patent";
import { validateProductTerms, type LoanProductTerms } from "../app/domain/product";
import { REGIONS, type RegionCode } from "../app/domain/regions";
import { buildUscc } from "../app/domain/uscc";
import {
  collateralColumns,
  isPledgeableStatus,
  productTermColumns,
  requestFirmColumns,
  type AssetRowForEngine,
} from "../app/domain/matching/rows";
import { getDbHandle, type Db } from "../app/utils/db.server";
import { seedScaleDeals, type DealInfo, type ScaleAsset } from "./seed-scale-deals";
import { nowInstant, todayInChina } from "../app/utils/time";

/**
 * The scale `npm run seed:scale` and `npm run bench:scale` build by default (issue 15): 10⁵ open
 * and closed requests, and enough deal flow — about 170,000 applications, 55% of them disbursed,
 * each loan with its monthly repayments — that the money ledgers reconcile holds over 10⁶ entries
 * (disbursements and reversals in ledger_entries, repayments in repayment_entries).
 */
export const SCALE_DEFAULTS = {
  products: 10_000,
  firms: 20_000,
  requests: 100_000,
  applications: 170_000,
  seed: 42,
} as const;

export interface ScaleOptions {
  products: number;
  firms: number;
  requests: number;
  /** Applications of the deal flow (0: none, the matching benchmark's data only). */
  applications?: number;
  seed: number;
  /** The day the data are generated for (dates are placed around it). */
  today: string;
  log?: (s: string) => void;
}

export interface ScaleInfo {
  products: number;
  firms: number;
  requests: number;
  seed: number;
  today: string;
  seconds: number;
  deals?: DealInfo;
}

export const SCALE_SETTING = "scale_seed";

export async function readScaleInfo(db: Db): Promise<ScaleInfo | null> {
  const row = await db
    .selectFrom("settings")
    .select("value")
    .where("name", "=", SCALE_SETTING)
    .executeTakeFirst();
  return row ? (JSON.parse(row.value) as ScaleInfo) : null;
}

/** Weighted choice: [value, weight][]. */
function weighted<T>(pairs: ReadonlyArray<readonly [T, number]>): () => T {
  const total = pairs.reduce((s, [, w]) => s + w, 0);
  return () => {
    let r = faker.number.float({ min: 0, max: total });
    for (const [v, w] of pairs) {
      r -= w;
      if (r <= 0) return v;
    }
    return pairs[pairs.length - 1][0];
  };
}

/** Log-uniform integer in [lo, hi], rounded to `step`. */
function logUniform(lo: number, hi: number, step: number): number {
  const x = Math.exp(faker.number.float({ min: Math.log(lo), max: Math.log(hi) }));
  return Math.max(lo, Math.round(x / step) * step);
}

const chance = (p: number) => faker.number.float({ min: 0, max: 1 }) < p;
const pick = <T>(xs: readonly T[]): T => faker.helpers.arrayElement(xs);

// Regions weighted by the number of enterprises (the big three first).
const REGION_WEIGHTS: ReadonlyArray<readonly [RegionCode, number]> = [
  ["150100", 18],
  ["150200", 17],
  ["150600", 15],
  ["150400", 10],
  ["150500", 8],
  ["150700", 7],
  ["150800", 5],
  ["150900", 5],
  ["152500", 5],
  ["150300", 4],
  ["152200", 3],
  ["152900", 3],
];
const INDUSTRY_WEIGHTS = [
  ["C", 45],
  ["I", 12],
  ["M", 10],
  ["A", 10],
  ["B", 5],
  ["D", 5],
  ["N", 4],
  ["F", 4],
  ["E", 3],
  ["R", 2],
] as const;
const IP_TYPE_WEIGHTS: ReadonlyArray<readonly [IpType, number]> = [
  ["invention", 30],
  ["utility_model", 40],
  ["design", 10],
  ["trademark", 20],
];

const TECH = [
  "稀土永磁",
  "光伏组件",
  "风电叶片",
  "煤化工",
  "乳制品",
  "羊绒",
  "马铃薯",
  "蒙药",
  "石墨烯",
  "氢能",
  "冷链",
  "牧草",
  "硅材料",
  "铝合金",
  "储能电池",
  "智能电网",
];
const THING = [
  "装置",
  "方法",
  "系统",
  "设备",
  "工艺",
  "组合物",
  "检测方法",
  "控制系统",
  "制备方法",
  "回收装置",
];
const DESIGN = ["包装盒", "礼品箱", "瓶", "标签", "控制器外壳", "展示架"];
const MARK = [
  "草原",
  "塞北",
  "敕勒川",
  "蒙",
  "河套",
  "鹿城",
  "青城",
  "北疆",
  "大漠",
  "额尔古纳",
  "科尔沁",
  "阿拉善",
];
const PURPOSES = [
  "采购生产设备",
  "补充流动资金",
  "研发投入",
  "扩建生产线",
  "原材料采购",
  "技术改造",
  "市场推广",
  "偿还到期贷款",
];
const BANK_KINDS = [
  ["中国工商银行", "分行"],
  ["中国农业银行", "分行"],
  ["中国银行", "分行"],
  ["中国建设银行", "分行"],
  ["交通银行", "分行"],
  ["兴业银行", "分行"],
  ["招商银行", "分行"],
  ["民生银行", "分行"],
] as const;
const PRODUCT_NAMES = [
  "知识产权质押贷",
  "科创贷",
  "专利贷",
  "商标贷",
  "专精特新贷",
  "高企成长贷",
  "知产融",
  "创新积分贷",
  "草原科技贷",
  "绿色知产贷",
];

/** An 8-digit GB 11714 organisation-code body; `buildUscc` adds both check characters. */
function orgBody(n: number): string {
  return String(n).padStart(8, "0").slice(-8);
}

type Row = Record<string, unknown>;

async function insertBatches(
  db: Db,
  table: keyof Database,
  rows: Row[],
  batch: number,
): Promise<void> {
  // Every row of a statement needs the same columns (SQLite has no DEFAULT in VALUES).
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  rows = rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null])));
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += batch) {
      await trx
        .insertInto(table)
        .values(
          // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each table's rows are built above
          rows.slice(i, i + batch) as any,
        )
        .execute();
    }
  });
}

async function nextId(
  db: Db,
  table: "organisations" | "ip_assets" | "financing_requests" | "loan_products",
) {
  const row = await db
    .selectFrom(table)
    .select(sql<number>`COALESCE(MAX(id), 0)`.as("m"))
    .executeTakeFirstOrThrow();
  return Number(row.m) + 1;
}

export async function seedScale(db: Db, o: ScaleOptions): Promise<ScaleInfo> {
  const log = o.log ?? (() => {});
  const started = Date.now();
  faker.seed(o.seed);
  const now = nowInstant();
  const today = o.today;
  const region = weighted(REGION_WEIGHTS);
  const industry = weighted(INDUSTRY_WEIGHTS);
  const ipType = weighted(IP_TYPE_WEIGHTS);
  // Rows of one table per batch: SQLite allows 32766 bound values per statement.
  const batchFor = (columns: number) => Math.max(50, Math.floor(30_000 / columns));

  // ---- banks ----
  let orgId = await nextId(db, "organisations");
  const bankIds: number[] = [];
  const banks: Row[] = [];
  const cities = REGIONS.map((r) => r.zh);
  for (const [name, suffix] of BANK_KINDS) {
    bankIds.push(orgId);
    banks.push({
      id: orgId++,
      kind: "bank",
      name: `${name}内蒙古${suffix}（规模测试）`,
      created_at: now,
    });
  }
  for (const city of cities) {
    for (const kind of ["农村商业银行", "村镇银行"]) {
      bankIds.push(orgId);
      banks.push({
        id: orgId++,
        kind: "bank",
        name: `${city.replace(/[市盟]$/, "")}${kind}（规模测试）`,
        created_at: now,
      });
    }
  }
  await insertBatches(db, "organisations", banks, 200);

  // ---- firms ----
  const firmRows: Row[] = [];
  const firms: Array<{
    id: number;
    regionCode: string;
    industry: string;
    columns: ReturnType<typeof requestFirmColumns>;
  }> = [];
  const codeBase = 70_000_000 + (o.seed % 1000) * 20_000;
  for (let i = 0; i < o.firms; i++) {
    const regionCode = region();
    const org = {
      id: orgId++,
      kind: "firm" as const,
      name: `${faker.company.name()}（规模测试）`,
      // County "05": the demo seed uses 02–04, so the two never share a USCC.
      uscc: buildUscc(`${regionCode.slice(0, 4)}05`, orgBody(codeBase + i)),
      region_code: regionCode,
      industry_section: industry(),
      flag_high_tech: chance(0.4) ? 1 : 0,
      flag_specialised: chance(0.15) ? 1 : 0,
      flag_tech_sme: chance(0.5) ? 1 : 0,
      contact_name: faker.person.fullName(),
      created_at: now,
    };
    firmRows.push(org);
    firms.push({
      id: org.id,
      regionCode,
      industry: org.industry_section,
      columns: requestFirmColumns(org),
    });
  }
  await insertBatches(db, "organisations", firmRows, batchFor(12));
  log(`${banks.length} banks, ${o.firms} firms`);

  // ---- IP assets ----
  let assetId = await nextId(db, "ip_assets");
  const assetRows: Row[] = [];
  const assetsByFirm = new Map<number, Array<AssetRowForEngine & { inForce: boolean }>>();
  let serial = 5_000_000 + (o.seed % 100) * 40_000;
  let markNo = 60_000_000 + (o.seed % 100) * 400_000;
  for (const firm of firms) {
    const n = Math.min(
      10,
      1 + faker.number.int({ min: 0, max: 3 }) + faker.number.int({ min: 0, max: 3 }),
    );
    const list: Array<AssetRowForEngine & { inForce: boolean }> = [];
    for (let k = 0; k < n; k++) {
      const t = ipType();
      const tm = t === "trademark";
      let row: AssetRowForEngine & Row;
      if (tm) {
        const reg = addDays(
          `${faker.number.int({ min: 2006, max: 2025 })}-01-01`,
          faker.number.int({ min: 0, max: 364 }),
        );
        let expiry = addDays(addYearsClamped(reg, 10), -1);
        let renewals = 0;
        while (expiry <= today && chance(0.8)) {
          renewals++;
          expiry = addDays(addYearsClamped(reg, 10 * (renewals + 1)), -1);
        }
        const value = logUniform(200_000 * 100, 30_000_000 * 100, 10_000 * 100);
        row = {
          id: assetId++,
          firm_org_id: firm.id,
          asset_kind: "trademark",
          ip_type: t,
          number: String(markNo++),
          title: `${pick(MARK)}${pick(["", "源", "牧", "香", "鑫", "达"])}`,
          status: expiry > today ? "registered" : "expired",
          registration_date: reg,
          expiry_date: expiry,
          nice_class: faker.number.int({ min: 1, max: 45 }),
          trademark_kind: "ordinary",
          renewals,
          indicative_value_fen: value,
          formal_value_fen: null,
          formal_valid_until: null,
          created_at: now,
          updated_at: now,
        };
      } else {
        const year = faker.number.int({ min: t === "invention" ? 2006 : 2015, max: 2025 });
        const filing = addDays(`${year}-01-01`, faker.number.int({ min: 0, max: 364 }));
        const termYears =
          t === "invention" ? 20 : t === "utility_model" ? 10 : filing >= "2021-06-01" ? 15 : 10;
        const expiry = addDays(addYearsClamped(filing, termYears), -1);
        const status =
          expiry <= today
            ? "expired"
            : chance(0.08)
              ? "lapsed"
              : year >= 2024 && chance(0.3)
                ? "pending"
                : "granted";
        const [lo, hi] =
          t === "invention"
            ? [500_000, 20_000_000]
            : t === "utility_model"
              ? [100_000, 3_000_000]
              : [50_000, 1_000_000];
        row = {
          id: assetId++,
          firm_org_id: firm.id,
          asset_kind: "patent",
          ip_type: t,
          number: makePatentNumber(
            year,
            t === "invention" ? 1 : t === "utility_model" ? 2 : 3,
            serial++ % 10_000_000,
          ),
          title:
            t === "design" ? `${pick(TECH)}${pick(DESIGN)}` : `一种${pick(TECH)}${pick(THING)}`,
          status,
          filing_date: filing,
          grant_date:
            status === "pending" ? null : addMonthsClamped(filing, t === "invention" ? 30 : 8),
          expiry_date: expiry,
          claims_count: faker.number.int({ min: 1, max: 20 }),
          renewals: 0,
          registration_date: null,
          indicative_value_fen: logUniform(lo * 100, hi * 100, 1_000 * 100),
          formal_value_fen: null,
          formal_valid_until: null,
          created_at: now,
          updated_at: now,
        };
      }
      // About half the pledgeable assets have a formal appraisal, a third of those expired.
      if (isPledgeableStatus(t, row.status) && chance(0.55)) {
        const signed = addDays(today, -faker.number.int({ min: 0, max: 540 }));
        row.formal_value_fen =
          Math.round(
            (Number(row.indicative_value_fen) * faker.number.float({ min: 0.8, max: 1.1 })) /
              10_000,
          ) * 10_000;
        row.formal_valid_until = addDays(addMonthsClamped(signed, 12), -1);
      }
      if (chance(0.05)) row.indicative_value_fen = null;
      assetRows.push(row);
      list.push({ ...row, inForce: isPledgeableStatus(t, row.status) && row.expiry_date > today });
    }
    assetsByFirm.set(firm.id, list);
  }
  await insertBatches(db, "ip_assets", assetRows, batchFor(20));
  log(`${assetRows.length} IP assets`);

  // ---- financing requests ----
  let requestId = await nextId(db, "financing_requests");
  const requestRows: Row[] = [];
  const offerRows: Row[] = [];
  const requestsByFirm = new Map<number, number[]>();
  for (let i = 0; i < o.requests; i++) {
    const firm = firms[faker.number.int({ min: 0, max: firms.length - 1 })];
    const assets = assetsByFirm.get(firm.id) ?? [];
    const inForce = assets.filter((a) => a.inForce);
    // The form's default is every asset in force; some firms pick a subset.
    let offered = inForce.length > 0 ? inForce : assets;
    if (offered.length > 1 && chance(0.15))
      offered = faker.helpers.arrayElements(offered, { min: 1, max: offered.length - 1 });
    const id = requestId++;
    requestsByFirm.set(firm.id, [...(requestsByFirm.get(firm.id) ?? []), id]);
    requestRows.push({
      id,
      firm_org_id: firm.id,
      amount_fen: logUniform(500_000 * 100, 50_000_000 * 100, 100_000 * 100),
      term_months: pick([6, 12, 12, 18, 24, 24, 36]),
      max_rate_bp: faker.number.int({ min: 38, max: 70 }) * 10,
      purpose: pick(PURPOSES),
      status: chance(0.9) ? "open" : "closed",
      ...firm.columns,
      ...collateralColumns(today, offered),
      version: 1,
      created_at: now,
      updated_at: now,
    });
    for (const a of offered) offerRows.push({ request_id: id, asset_id: a.id });
  }
  await insertBatches(db, "financing_requests", requestRows, batchFor(36));
  await insertBatches(db, "financing_request_assets", offerRows, 2_000);
  log(`${requestRows.length} financing requests offering ${offerRows.length} assets`);

  // ---- loan products ----
  let productId = await nextId(db, "loan_products");
  const productRows: Row[] = [];
  const regionCodes = REGIONS.map((r) => r.code);
  while (productRows.length < o.products) {
    const bank = pick(bankIds);
    const accepted = (["invention", "utility_model", "design", "trademark"] as const).filter((t) =>
      chance({ invention: 0.95, utility_model: 0.8, design: 0.4, trademark: 0.6 }[t]),
    );
    const minAmount = pick([10, 30, 50, 100, 200, 500]) * 1_000_000;
    const minTerm = pick([6, 6, 12]);
    const minRate = faker.number.int({ min: 69, max: 110 }) * 5;
    const flags: FirmFlag[] = chance(0.8) ? [] : [pick(FIRM_FLAGS.slice(0, 2))];
    const quota = faker.number.int({ min: 1, max: 5 }) * 10_000_000_000;
    const terms: LoanProductTerms = {
      id: 0,
      bankOrgId: bank,
      name: `${pick(PRODUCT_NAMES)}${faker.number.int({ min: 1, max: 99 })}号`,
      minAmountFen: minAmount,
      maxAmountFen: minAmount * pick([5, 10, 20, 50]),
      minTermMonths: minTerm,
      maxTermMonths: pick([12, 24, 36, 36, 60]),
      minRateBp: minRate,
      maxRateBp: minRate + pick([50, 100, 150]),
      pledgeRateBp: {
        invention: accepted.includes("invention")
          ? faker.number.int({ min: 25, max: 40 }) * 100
          : 0,
        utility_model: accepted.includes("utility_model")
          ? faker.number.int({ min: 15, max: 25 }) * 100
          : 0,
        design: accepted.includes("design") ? faker.number.int({ min: 10, max: 20 }) * 100 : 0,
        trademark: accepted.includes("trademark")
          ? faker.number.int({ min: 30, max: 50 }) * 100
          : 0,
      },
      acceptedIpTypes: accepted,
      minRemainingYears: {
        invention: pick([0, 3, 5, 5, 8]),
        utility_model: pick([0, 2, 3]),
        design: pick([0, 2, 3]),
        trademark: pick([0, 0, 1]),
      },
      trademarkMinAgeYears: pick([0, 1, 3, 3]),
      regions: chance(0.35) ? "all" : faker.helpers.arrayElements(regionCodes, { min: 1, max: 3 }),
      industries: chance(0.65)
        ? "all"
        : faker.helpers.arrayElements(INDUSTRY_CODES.slice(0, 18), { min: 2, max: 6 }),
      requiredFlags: flags,
      requiresFormalAppraisal: chance(0.7),
      quotaTotalFen: quota,
      quotaRemainingFen: Math.round((quota * faker.number.float({ min: 0.2, max: 1 })) / 100) * 100,
      riskShare: {
        governmentBp: pick([0, 2000, 3000, 4000]),
        insurerBp: pick([0, 0, 1000, 2000]),
        guarantorBp: pick([0, 0, 3000]),
      },
      interestSubsidyBp: pick([0, 0, 2000, 3000, 5000]),
      active: chance(0.92),
    };
    if (validateProductTerms(terms).length > 0) continue;
    productRows.push({
      id: productId++,
      bank_org_id: bank,
      name: terms.name,
      description: `面向${terms.regions === "all" ? "全区" : "本地"}科技型企业的知识产权质押融资产品。`,
      ...productTermColumns(terms),
      version: 1,
      created_by: 0,
      created_at: now,
      updated_at: now,
    });
  }
  await insertBatches(db, "loan_products", productRows, batchFor(40));
  log(`${productRows.length} loan products`);

  let deals: DealInfo | undefined;
  if ((o.applications ?? 0) > 0) {
    deals = await seedScaleDeals(db, {
      applications: o.applications ?? 0,
      today,
      firms,
      assetsByFirm: assetsByFirm as unknown as Map<number, ScaleAsset[]>,
      products: productRows,
      requestsByFirm,
      log,
    });
  }

  const info: ScaleInfo = {
    products: o.products,
    firms: o.firms,
    requests: o.requests,
    seed: o.seed,
    today,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    ...(deals ? { deals } : {}),
  };
  await db
    .insertInto("settings")
    .values({ name: SCALE_SETTING, value: JSON.stringify(info), updated_at: nowInstant() })
    .execute();
  // Fresh statistics, so the planners know the new sizes.
  if (db.getExecutor().adapter instanceof MysqlAdapter) {
    await sql`ANALYZE TABLE loan_products, financing_requests, financing_request_assets, ip_assets, applications, application_assets, ledger_entries, loan_accounts, repayment_entries, loan_schedule_rows`.execute(
      db,
    );
  } else {
    await sql`ANALYZE`.execute(db);
  }
  return info;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`--${name} needs a whole number`);
  return v;
}

async function main() {
  await ensureDatabaseExists(process.env.DATABASE_URL);
  const { db, target } = getDbHandle();
  try {
    await migrateToLatest(db);
    const existing = await readScaleInfo(db);
    if (existing) {
      console.log(`${target} already has scale data: ${JSON.stringify(existing)}`);
      return;
    }
    const info = await seedScale(db, {
      products: arg("products", SCALE_DEFAULTS.products),
      firms: arg("firms", SCALE_DEFAULTS.firms),
      requests: arg("requests", SCALE_DEFAULTS.requests),
      applications: arg("applications", SCALE_DEFAULTS.applications),
      seed: arg("seed", SCALE_DEFAULTS.seed),
      today: todayInChina(),
      log: (s) => console.log(`  ${s}`),
    });
    console.log(`seeded ${target} in ${info.seconds} s: ${JSON.stringify(info)}`);
  } finally {
    await db.destroy();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main();
}
