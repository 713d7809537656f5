import { addDays } from "../app/domain/ip";
import { appraisalValidUntil } from "../app/domain/valuation";
import {
  createAppraisalOrder,
  signAppraisalOrder,
  startAppraisalWork,
  type Actor,
} from "../app/models/appraisal.server";
import { markOfflinePaid } from "../app/models/payment.server";
import type { Db } from "../app/utils/db.server";
import { todayInChina } from "../app/utils/time";
import type { ExtraSeeder } from "./seed";

/**
 * Demo appraisals, after the assets seeder: each demo firm has some assets with a signed formal
 * value — most valid, a few expiring or expired by date — and a few orders are still in flight
 * (awaiting an offline payment, paid and waiting for the valuer, being appraised), so the firm's
 * portfolio, the valuer's queue and the admin's payment list all have something to show. Everything
 * goes through the model functions, in offline-payment mode, so the audit trail is the real one.
 * At least one valued asset of every firm is left free, so a visitor can order an appraisal.
 */
export const seedAppraisals: ExtraSeeder = async (db, { rand, log }) => {
  const admin = await userByEmail(db, "admin@zhirong.demo");
  const valuer = await userByEmail(db, "appraiser@valuer.demo");
  if (!admin || !valuer) return log("appraisals: no demo admin or valuer, skipped");

  const assets = await db
    .selectFrom("ip_assets")
    .innerJoin("users", (j) =>
      j.onRef("users.org_id", "=", "ip_assets.firm_org_id").on("users.role", "=", "firm"),
    )
    .select([
      "ip_assets.id",
      "ip_assets.firm_org_id",
      "ip_assets.asset_kind",
      "ip_assets.title",
      "ip_assets.indicative_value_fen",
      "users.id as userId",
    ])
    .where("ip_assets.indicative_value_fen", "is not", null)
    .where("ip_assets.formal_appraisal_id", "is", null)
    .orderBy("ip_assets.firm_org_id")
    .orderBy("ip_assets.id")
    .execute();
  if (!assets.length) return log("appraisals: no valued demo assets yet, skipped");

  const byFirm = new Map<number, typeof assets>();
  for (const a of assets) {
    const list = byFirm.get(a.firm_org_id) ?? [];
    // One user per firm is enough to act for it; the join may repeat an asset per user.
    if (!list.some((x) => x.id === a.id)) list.push(a);
    byFirm.set(a.firm_org_id, list);
  }

  const today = todayInChina();
  let signed = 0;
  let expired = 0;
  let inFlight = 0;
  let firmIndex = 0;
  for (const [orgId, list] of byFirm) {
    firmIndex += 1;
    if (list.length < 2) continue; // keep the only valued asset free to order
    const firm: Actor = { id: list[0].userId, org_id: orgId, role: "firm" };
    // Appraise up to half of the portfolio (at most three assets), one order per asset, so the
    // signatures fall on different days.
    const toSign = list.slice(0, Math.min(3, Math.floor(list.length / 2)));
    for (const asset of toSign) {
      const r = rand();
      // ~75 % signed within the last 11 months, ~10 % in the month before expiry, ~15 % expired.
      const ageDays =
        r < 0.75
          ? 20 + Math.floor(rand() * 310)
          : r < 0.85
            ? 337 + Math.floor(rand() * 25)
            : 380 + Math.floor(rand() * 150);
      const signedDate = addDays(today, -ageDays);
      // The value is stated as of a day up to a week before the report is signed (评估基准日).
      const basisDate = addDays(signedDate, -Math.floor(rand() * 8));
      await signedAppraisal(db, { firm, admin, valuer, asset, signedDate, basisDate, rand });
      signed += 1;
      if (appraisalValidUntil(basisDate) < today) expired += 1;
    }
    // Every fourth firm (not the first, the demo log-in) also has an order still in flight, in
    // turn awaiting a bank transfer, paid, and being appraised.
    const free = list.slice(toSign.length);
    if (firmIndex > 1 && firmIndex % 4 === 0 && free.length >= 2) {
      const stage = (["awaiting_payment", "paid", "in_progress"] as const)[inFlight % 3];
      const { orderId } = await createAppraisalOrder(
        db,
        firm,
        { assetIds: [free[0].id], valuerOrgId: valuer.org_id },
        { paymentMode: "offline" },
      );
      if (stage !== "awaiting_payment") {
        await markOfflinePaid(db, admin, orderId, 1, { reference: bankReference(orderId) });
      }
      if (stage === "in_progress") await startAppraisalWork(db, valuer, orderId, 2);
      inFlight += 1;
    }
  }
  log(
    `seeded ${signed} signed appraisals (${expired} expired by date) and ${inFlight} orders in progress`,
  );
};

async function userByEmail(db: Db, email: string): Promise<Actor | undefined> {
  return db
    .selectFrom("users")
    .select(["id", "org_id", "role"])
    .where("email", "=", email)
    .executeTakeFirst();
}

function bankReference(orderId: number): string {
  return `DEMO${String(orderId).padStart(8, "0")}`;
}

/**
 * The demo valuer's numbers as printed on its reports: the firm's filing number with the
 * Inner Mongolia finance department (资产评估机构备案; 15 is the region's code) and the signing
 * valuer's registration number (资产评估师职业资格证书登记编号, 8 digits led by the region).
 * Invented, like everything seeded.
 */
export const DEMO_VALUER_FILING_NUMBER = "内财资评备〔2021〕0017号";
export const DEMO_VALUER_LICENCE = "15000312";

const ASSUMPTIONS = [
  "收益期按剩余法定保护期与经济寿命孰短确定；许可费率参照同行业可比许可交易取 3%–5%；折现率 12%，含行业风险溢价；企业持续经营，相关产品市场需求稳定。",
  "以企业近三年经审计的相关产品收入为基础预测未来收入，年增长率 5%；分成率 25%；所得税率按高新技术企业 15% 计算；未考虑权属纠纷与质押限制的影响。",
  "参照近两年同类商标转让及许可案例，按品牌影响力、地域范围与使用年限修正；假设商标持续有效并按期续展，核定使用商品范围不变。",
];

async function signedAppraisal(
  db: Db,
  a: {
    firm: Actor;
    admin: Actor;
    valuer: Actor;
    asset: { id: number; asset_kind: string; title: string; indicative_value_fen: number | null };
    signedDate: string;
    basisDate: string;
    rand: () => number;
  },
) {
  const orderedDate = addDays(a.signedDate, -(7 + Math.floor(a.rand() * 14)));
  const paidDate = addDays(orderedDate, 1);
  const { orderId } = await createAppraisalOrder(
    db,
    a.firm,
    { assetIds: [a.asset.id], valuerOrgId: a.valuer.org_id },
    { paymentMode: "offline", now: `${orderedDate} 02:15:00.000` },
  );
  await markOfflinePaid(
    db,
    a.admin,
    orderId,
    1,
    { reference: bankReference(orderId) },
    { now: `${paidDate} 03:30:00.000` },
  );
  await startAppraisalWork(db, a.valuer, orderId, 2);
  // The formal value lands within ±15 % of the firm's own estimate, rounded to ¥1,000.
  const indicative = Number(a.asset.indicative_value_fen);
  const central = Math.max(
    100_000,
    Math.round((indicative * (0.85 + a.rand() * 0.3)) / 100_000) * 100_000,
  );
  const trademark = a.asset.asset_kind === "trademark";
  await signAppraisalOrder(
    db,
    a.valuer,
    orderId,
    3,
    [
      {
        assetId: a.asset.id,
        lowFen: Math.round((central * 0.9) / 100_000) * 100_000,
        centralFen: central,
        highFen: Math.round((central * 1.1) / 100_000) * 100_000,
        method: trademark && a.rand() < 0.5 ? "market" : "income",
        assumptions: ASSUMPTIONS[trademark ? 2 : Math.floor(a.rand() * 2)],
        reportText:
          `受委托方委托，本机构对“${a.asset.title}”于评估基准日 ${a.basisDate} 的市场价值进行了评估。` +
          "评估人员核查了权属证明、法律状态与相关产品的经营数据，采用上述方法测算，结论如上。" +
          "本报告仅供委托方办理知识产权质押融资使用（演示数据）。",
      },
    ],
    {
      signedDate: a.signedDate,
      now: `${a.signedDate} 08:00:00.000`,
      basisDate: a.basisDate,
      valuerLicenceNumber: DEMO_VALUER_LICENCE,
    },
  );
}
