import type { AllianceKind, Role } from "./schema";
import { buildUscc } from "../app/domain/uscc";
import { REGIONS } from "../app/domain/regions";
import { INDUSTRY_CODES } from "../app/domain/industry";
import { registerFirm, createOrganisation } from "../app/models/organisation.server";
import { hashPassword } from "../app/utils/password.server";
import { nowInstant } from "../app/utils/time";
import { TWO_FACTOR_POLICY_SETTING } from "../app/domain/two-factor";
import type { Db } from "../app/utils/db.server";
import { DEMO_VALUER_FILING_NUMBER, DEMO_VALUER_LICENCE, seedAppraisals } from "./seed-appraisals";
import { seedDeals } from "./seed-deals";
import { seedAllianceConsent } from "./seed-alliance";
import { seedAssets } from "./seed-assets";
import { seedProducts } from "./seed-products";
import { seedShowcaseRequests } from "./seed-showcase";
import { RISK_PARTIES, seedRisk } from "./seed-risk";

/** Every demo account shares this password (demo only; printed at start-up). */
export const DEMO_PASSWORD = "zhirong-demo-2025";

export interface DemoLogin {
  role: Role;
  email: string;
  org: string;
  /** An alliance member's kind (government, insurer, guarantor), printed beside the role. */
  allianceKind?: AllianceKind;
}

/** Deterministic PRNG so every fresh demo database looks the same (mulberry32). */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random 8-digit GB 11714 organisation-code body; `buildUscc` adds both check characters. */
function orgBody(rand: () => number): string {
  let digits = "";
  for (let i = 0; i < 8; i++) digits += Math.floor(rand() * 10);
  return digits;
}

/** A valid USCC of an enterprise (91) registered in the given 盟市 (a county-level code under it). */
export function demoUscc(regionCode: string, rand: () => number): string {
  const county = regionCode.slice(0, 4) + String(2 + Math.floor(rand() * 3)).padStart(2, "0");
  return buildUscc(county, orgBody(rand));
}

const FIRM_NAMES = [
  "青城云数科技",
  "鹿城稀土新材料",
  "乌海精细化工",
  "红山智慧农业",
  "科尔沁牧业生物",
  "鄂尔多斯绒纺",
  "呼伦贝尔冷链",
  "河套葡萄酒业",
  "察哈尔马铃薯",
  "兴安林下经济",
  "锡林郭勒乳业",
  "阿拉善沙产业",
  "大青山光伏装备",
  "北疆氢能装备",
  "草原蒙医药",
  "塞上风电运维",
  "敕勒川种业",
  "黄河几字湾环保",
  "蒙草生态修复",
  "北方重工智造",
  "金马鞍新能源",
  "苍狼软件",
  "查干湖盐化",
  "银河石墨烯",
  "星火检测认证",
  "云中数据服务",
  "白云鄂博稀土",
  "额济纳胡杨文旅",
  "通辽玉米生物",
  "赤峰黄金冶炼",
];
const INDUSTRY_BY_INDEX = [
  "I",
  "C",
  "C",
  "A",
  "A",
  "C",
  "G",
  "C",
  "A",
  "A",
  "C",
  "A",
  "C",
  "C",
  "C",
  "D",
  "A",
  "N",
  "N",
  "C",
  "D",
  "I",
  "B",
  "C",
  "M",
  "I",
  "B",
  "R",
  "C",
  "B",
];
const SURNAMES = [
  "王",
  "李",
  "张",
  "刘",
  "陈",
  "杨",
  "赵",
  "黄",
  "周",
  "吴",
  "徐",
  "孙",
  "胡",
  "朱",
  "高",
  "林",
  "何",
  "郭",
  "马",
  "罗",
];
const GIVEN = [
  "建国",
  "海燕",
  "志强",
  "丽娜",
  "巴特尔",
  "其其格",
  "晓东",
  "秀英",
  "宏伟",
  "娜仁",
  "立新",
  "苏和",
  "敏",
  "刚",
  "婷",
];

export async function isDatabaseEmpty(db: Db): Promise<boolean> {
  const row = await db.selectFrom("users").select("id").limit(1).executeTakeFirst();
  return !row;
}

async function addUser(
  db: Db,
  orgId: number,
  role: Role,
  email: string,
  name: string,
  hash: string,
) {
  await db
    .insertInto("users")
    .values({
      org_id: orgId,
      email,
      password_hash: hash,
      role,
      display_name: name,
      created_at: nowInstant(),
    })
    .execute();
}

/**
 * Seeds the demo world: an admin, three banks with two officers each, one valuer, one alliance
 * member (a government office) and 30 firms spread over the 12 盟市. Later features add to it
 * through `extraSeeders`. Returns one log-in per role.
 */
export async function seedDemo(
  db: Db,
  opts: { log?: (s: string) => void } = {},
): Promise<DemoLogin[]> {
  const log = opts.log ?? (() => {});
  const rand = prng(20251231);
  const hash = await hashPassword(DEMO_PASSWORD);
  const person = () =>
    SURNAMES[Math.floor(rand() * SURNAMES.length)] + GIVEN[Math.floor(rand() * GIVEN.length)];
  const logins: DemoLogin[] = [];

  // The seeded demo requires two-factor authentication of nobody, so the printed log-ins work
  // (docs/decisions/014-two-factor.md); the admin can require it at /admin/settings/two-factor.
  await db
    .insertInto("settings")
    .values({ name: TWO_FACTOR_POLICY_SETTING, value: "[]", updated_at: nowInstant() })
    .execute();

  const platform = await createOrganisation(
    db,
    { kind: "platform", name: "知融平台运营中心" },
    null,
  );
  await addUser(db, platform, "admin", "admin@zhirong.demo", "平台管理员", hash);
  logins.push({ role: "admin", email: "admin@zhirong.demo", org: "知融平台运营中心" });

  const banks = [
    { key: "nmgbank", name: "内蒙古草原银行（演示）" },
    { key: "baotoubank", name: "鹿城商业银行（演示）" },
    { key: "nongshang", name: "北疆农村商业银行（演示）" },
  ];
  for (const b of banks) {
    const id = await createOrganisation(db, { kind: "bank", name: b.name }, null);
    for (const n of [1, 2])
      await addUser(db, id, "bank_officer", `officer${n}@${b.key}.demo`, person(), hash);
    // officer1 manages the bank's team (invites and removes officers; app/domain/team.ts).
    await db
      .updateTable("users")
      .set({ team_admin: 1 })
      .where("email", "=", `officer1@${b.key}.demo`)
      .execute();
    // One officer per bank, so a newcomer can try each bank's side.
    logins.push({ role: "bank_officer", email: `officer1@${b.key}.demo`, org: b.name });
  }

  const valuer = await createOrganisation(
    db,
    {
      kind: "valuer",
      name: "北疆资产评估有限公司（演示）",
      licenceNumber: DEMO_VALUER_FILING_NUMBER,
    },
    null,
  );
  await addUser(db, valuer, "valuer", "appraiser@valuer.demo", person(), hash);
  await db
    .updateTable("users")
    .set({ licence_number: DEMO_VALUER_LICENCE })
    .where("email", "=", "appraiser@valuer.demo")
    .execute();
  logins.push({
    role: "valuer",
    email: "appraiser@valuer.demo",
    org: "北疆资产评估有限公司（演示）",
  });

  const allianceKind: AllianceKind = "government";
  const alliance = await createOrganisation(
    db,
    { kind: "alliance", name: "自治区市场监督管理局知识产权处（演示）", allianceKind },
    null,
  );
  await addUser(db, alliance, "alliance", "alliance@amr.demo", person(), hash);
  logins.push({
    role: "alliance",
    email: "alliance@amr.demo",
    org: "自治区市场监督管理局知识产权处（演示）",
    allianceKind,
  });

  for (let i = 0; i < FIRM_NAMES.length; i++) {
    const region = REGIONS[i % REGIONS.length];
    const name = `${region.zh.replace(/[市盟]$/, "")}${FIRM_NAMES[i]}有限公司`;
    const industry = INDUSTRY_BY_INDEX[i] ?? INDUSTRY_CODES[i % INDUSTRY_CODES.length];
    await registerFirm(db, {
      companyName: name,
      uscc: demoUscc(region.code, rand),
      regionCode: region.code,
      industrySection: industry,
      flags: { highTech: rand() < 0.5, specialised: rand() < 0.3, techSme: rand() < 0.6 },
      contactName: person(),
      email: `firm${String(i + 1).padStart(2, "0")}@firms.demo`,
      password: DEMO_PASSWORD,
    });
    if (i === 0) logins.splice(1, 0, { role: "firm", email: "firm01@firms.demo", org: name });
  }
  // The insurer and the guarantor who share the pools' losses (db/seed-risk.ts), after the firms
  // and with fixed names (no random draw), so every id and draw before them stays what it was.
  for (const p of RISK_PARTIES) {
    const id = await createOrganisation(
      db,
      { kind: "alliance", name: p.org, allianceKind: p.kind },
      null,
    );
    await addUser(db, id, "alliance", p.email, p.person, hash);
    // Printed right after the government member (the last log-in so far).
    logins.push({ role: "alliance", email: p.email, org: p.org, allianceKind: p.kind });
  }
  log(
    `seeded ${FIRM_NAMES.length} firms, ${banks.length} banks, 1 valuer, ${1 + RISK_PARTIES.length} alliance members, 1 admin`,
  );

  for (const extra of extraSeeders) await extra(db, { rand, log });
  return logins;
}

export type ExtraSeeder = (
  db: Db,
  ctx: { rand: () => number; log: (s: string) => void },
) => Promise<void>;

/** Later features register their demo data here, in order (assets → products → deals). */
export const extraSeeders: ExtraSeeder[] = [
  seedAssets,
  // Needs the demo assets and their indicative values: keep it after the assets seeder.
  seedAppraisals,
  // Loan products and open financing requests (needs the appraised assets; before the deals).
  seedProducts,
  // The deal history: needs firms, banks, the valuer and the admin; keep it last.
  seedDeals,
  // Which firms show their name to the alliance (needs only the firms).
  seedAllianceConsent,
  // firm01–firm05 each get an open request with a ready and a subject-to-appraisal product,
  // judged after everything else (the deals add products and lock pledges): keep it last.
  seedShowcaseRequests,
  // Risk pools, covered loans and their claims, a disposal, the LPR and subsidy programmes: uses
  // the products, the firms' deal history and the alliance members; after the showcase, so the
  // showcase requests are judged as before.
  seedRisk,
];
