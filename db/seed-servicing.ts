import { addDays, daysBetween } from "../app/domain/ip";
import {
  feeYearOn,
  graceEnd,
  lateMonth,
  patentFeeDeadline,
  PATENT_SURCHARGE_BP,
  surchargeFen,
} from "../app/domain/servicing/collateral-fees";
import { classificationFloor, type RiskClass } from "../app/domain/servicing/classification";
import { loanPosition, type PostedRepayment } from "../app/domain/servicing/position";
import type { RepaymentMethod } from "../app/domain/servicing/schedule";
import { recordFeePayment, recordLegalEvent } from "../app/models/servicing/collateral.server";
import {
  getLoanView,
  overrideClassification,
  postRepayment,
  recordLoanDefault,
  refreshClassifications,
  settleLoan,
} from "../app/models/servicing/loan.server";
import { releaseDefaultedPledge } from "../app/models/servicing/pledge.server";
import type { Db } from "../app/utils/db.server";
import { replayAt } from "../app/utils/time";

/**
 * The servicing history of the demo loans (issue 13 item 7), replayed through the same model
 * functions the loan pages call — postRepayment, settleLoan, recordLoanDefault,
 * releaseDefaultedPledge, recordFeePayment, recordLegalEvent — each on its historical day, so the
 * loan accounts, the servicing rollups and the repayment ledger agree (`npm run reconcile` shows
 * no drift) and every loan page has a real history:
 *
 * - every instalment due before today is paid on its due date (a few days late now and then);
 * - some loans repay part of the principal early (提前还款), some settle early (提前结清);
 * - loans the deal history marks as defaulted stop paying and are written off 60 days after
 *   maturity, with the loss; their IP went to a court auction, so the bank then releases the
 *   pledge (the default alone keeps it, decision 022);
 * - a few loans stop paying so that today they are overdue in each class (关注, 次级, 可疑, 损失),
 *   and one is classified more severely than its floor by the bank, with a reason;
 * - the annual fees of patents pledged to open loans are paid before each deadline, except those
 *   due in the coming weeks (fees due soon), one left in its grace period and one left to lapse
 *   (recorded as a lapse, which cuts that loan's collateral coverage).
 *
 * Each loan draws from its own PRNG (keyed by its id), so the deal history's random sequence — and
 * with it every other demo figure — stays what it was.
 */

export const SEED_REPAYMENT_METHODS: readonly RepaymentMethod[] = [
  "equal_instalment",
  "equal_instalment",
  "equal_instalment",
  "equal_principal",
  "equal_principal",
  "interest_only",
  "interest_only",
  "bullet",
];

/** mulberry32, as db/seed.ts prng (not imported: seed.ts imports this module's importer). */
export function loanRand(applicationId: number, salt = 0x13c) {
  let a = (Math.imul(applicationId, 2654435761) ^ salt) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The repayment method the bank chooses at approval for a demo loan. */
export function seedRepaymentMethod(applicationId: number): RepaymentMethod {
  const r = loanRand(applicationId, 0x3e7);
  return SEED_REPAYMENT_METHODS[Math.floor(r() * SEED_REPAYMENT_METHODS.length)];
}

export interface ServicedLoan {
  applicationId: number;
  bank: { id: number; org_id: number };
  firm: { id: number; org_id: number };
  /** The deal history wrote this loan off: it stops paying and defaults after maturity. */
  defaults: boolean;
}

/** Today's days past due each showcase loan is made to have (one class each, floors). */
const OVERDUE_TARGETS: { dpd: number; cls: RiskClass }[] = [
  { dpd: 9, cls: "special_mention" },
  { dpd: 40, cls: "special_mention" },
  { dpd: 75, cls: "special_mention" },
  { dpd: 125, cls: "substandard" },
  { dpd: 210, cls: "substandard" },
  { dpd: 290, cls: "doubtful" },
  { dpd: 340, cls: "doubtful" },
  { dpd: 400, cls: "loss" },
  { dpd: 520, cls: "loss" },
];

/**
 * CNIPA annual fee in fen by fee year (专利收费标准, 国家知识产权局; invention: years 1–3 ¥900,
 * 4–6 ¥1,200, 7–9 ¥2,000, 10–12 ¥4,000, 13–15 ¥6,000, 16–20 ¥8,000; utility model and design:
 * 1–3 ¥600, 4–5 ¥900, 6–8 ¥1,200, 9–10 ¥2,000, 11–15 ¥3,000), before any fee reduction.
 */
function annualFeeFen(ipType: string, year: number): number {
  const yuan =
    ipType === "invention"
      ? year <= 3
        ? 900
        : year <= 6
          ? 1200
          : year <= 9
            ? 2000
            : year <= 12
              ? 4000
              : year <= 15
                ? 6000
                : 8000
      : year <= 3
        ? 600
        : year <= 5
          ? 900
          : year <= 8
            ? 1200
            : year <= 10
              ? 2000
              : 3000;
  return yuan * 100;
}

/** A Beijing office-hours moment of `day` (never after now). */
function at(day: string, hourUtc = 2): Date {
  const t = new Date(`${day}T${String(hourUtc).padStart(2, "0")}:30:00Z`);
  return new Date(Math.min(t.getTime(), Date.now()));
}

export interface ServicingSummary {
  entries: number;
  settledEarly: number;
  prepaid: number;
  repaid: number;
  defaulted: number;
  overdueByClass: Record<string, number>;
  feesPaid: number;
}

export async function replayServicing(
  db: Db,
  loans: readonly ServicedLoan[],
  today: string,
  admin: { id: number; org_id: number },
): Promise<ServicingSummary> {
  const summary: ServicingSummary = {
    entries: 0,
    settledEarly: 0,
    prepaid: 0,
    repaid: 0,
    defaulted: 0,
    overdueByClass: {},
    feesPaid: 0,
  };
  if (loans.length === 0) return summary;
  const views = new Map<number, NonNullable<Awaited<ReturnType<typeof getLoanView>>>>();
  for (const l of loans) {
    const v = await getLoanView(db, l.applicationId, today);
    if (v) views.set(l.applicationId, v);
  }

  // Overdue showcase: for each target, a loan with an instalment due `dpd` days ago (± a little,
  // within the class) that it stops paying at. The first banks' demo officers see most of them.
  const stopAt = new Map<number, string>();
  const bankOrder = [...new Set(loans.map((l) => l.bank.org_id))];
  for (const [k, target] of OVERDUE_TARGETS.entries()) {
    const preferBank = bankOrder[k % bankOrder.length];
    const candidates = loans
      .filter((l) => !l.defaults && !stopAt.has(l.applicationId) && views.has(l.applicationId))
      .sort((a, b) => Number(b.bank.org_id === preferBank) - Number(a.bank.org_id === preferBank));
    for (const l of candidates) {
      const due = views
        .get(l.applicationId)!
        .terms.schedule.map((r) => r.dueDate)
        .find((d) => {
          const dpd = daysBetween(d, today);
          return Math.abs(dpd - target.dpd) <= 12 && classificationFloor(dpd) === target.cls;
        });
      if (due) {
        stopAt.set(l.applicationId, due);
        break;
      }
    }
  }

  for (const l of loans) {
    const view = views.get(l.applicationId);
    if (!view) continue;
    const r = loanRand(l.applicationId);
    const { terms } = view;
    const n = terms.schedule.length;
    const maturity = terms.schedule[n - 1].dueDate;
    const actor = {
      actorUserId: l.bank.id,
      actorOrgId: l.bank.org_id,
      bankOrgId: l.bank.org_id,
      applicationId: l.applicationId,
    };
    const posted: PostedRepayment[] = [];
    const post = async (valueDate: string, amountFen: number, key: string) => {
      const e = await replayAt(at(valueDate), () =>
        postRepayment(db, {
          ...actor,
          amountFen,
          valueDate,
          idempotencyKey: key,
          today: valueDate,
        }),
      );
      posted.push({
        valueDate,
        principalFen: e.principalFen,
        interestFen: e.interestFen,
        kind: e.kind,
      });
      summary.entries++;
    };

    // Where the history stops: a default stops paying about two thirds of the way through.
    let stop = stopAt.get(l.applicationId) ?? null;
    if (l.defaults && n > 1) stop = terms.schedule[Math.floor(n * (0.5 + r() * 0.3))].dueDate;
    else if (l.defaults) stop = terms.schedule[0].dueDate;
    // Early settlement (提前结清) or a partial prepayment (提前还款) after instalment `at`.
    const roll = r();
    const early = n >= 3 && stop === null ? Math.floor(1 + r() * (n - 2)) : -1;
    const settleAfter = roll < 0.12 ? early : -1;
    const prepayAfter = roll >= 0.12 && roll < 0.22 ? early : -1;
    const lateRoll = () => (r() < 0.08 ? 1 + Math.floor(r() * 12) : 0);

    let settled = false;
    for (let i = 0; i < n; i++) {
      const due = terms.schedule[i].dueDate;
      if (due >= today || (stop !== null && due >= stop)) break;
      const next = i + 1 < n ? terms.schedule[i + 1].dueDate : addDays(due, 30);
      let day = addDays(due, lateRoll());
      if (day >= next || day >= today) day = due;
      const pos = loanPosition(terms, posted, day);
      const amount = pos.duePrincipalFen + pos.dueInterestFen;
      if (amount > 0) await post(day, amount, `seed:${l.applicationId}:${i + 1}`);
      const extraDay = addDays(day, 5 + Math.floor(r() * 15));
      if ((i === settleAfter || i === prepayAfter) && extraDay < next && extraDay < today) {
        if (i === settleAfter) {
          await replayAt(at(extraDay), () =>
            settleLoan(db, {
              ...actor,
              valueDate: extraDay,
              idempotencyKey: `seed:${l.applicationId}:settle`,
              today: extraDay,
            }),
          );
          summary.entries++;
          summary.settledEarly++;
          settled = true;
          break;
        }
        const p = loanPosition(terms, posted, extraDay);
        const notDue = p.outstandingPrincipalFen - p.duePrincipalFen;
        // 20–40% of the principal not yet due, in whole 万元.
        const prepay = Math.floor((notDue * (0.2 + r() * 0.2)) / 1_000_000) * 1_000_000;
        if (prepay > 0 && prepay < notDue) {
          await post(extraDay, prepay, `seed:${l.applicationId}:prepay`);
          summary.prepaid++;
        }
      }
    }
    // One overdue loan pays part of what is overdue (a partial repayment) and stays overdue.
    if (stop !== null && !l.defaults && stopAt.get(l.applicationId) === stop && r() < 0.4) {
      const day = addDays(stop, 3);
      if (day < today) {
        const pos = loanPosition(terms, posted, day);
        const part = Math.floor(pos.dueInterestFen / 2);
        if (part > 0) await post(day, part, `seed:${l.applicationId}:partial`);
      }
    }
    if (l.defaults) {
      const closedDate = addDays(maturity, 60) <= today ? addDays(maturity, 60) : today;
      await replayAt(at(closedDate, 7), () =>
        recordLoanDefault(db, {
          applicationId: l.applicationId,
          reason: "逾期后质押知识产权经司法拍卖处置完毕，剩余本息确认损失",
          actorUserId: l.bank.id,
          actorOrgId: l.bank.org_id,
          bankOrgId: l.bank.org_id,
          today: closedDate,
        }),
      );
      // The pledge outlives the default (decision 022): the IP was auctioned by a court off the
      // platform, so the bank releases the pledge by hand, which frees the assets.
      await replayAt(at(closedDate, 8), () =>
        releaseDefaultedPledge(db, {
          applicationId: l.applicationId,
          reason: "质押知识产权已经法院司法拍卖处置完毕，银行解除质押（演示数据）",
          actorUserId: l.bank.id,
          actorOrgId: l.bank.org_id,
          bankOrgId: l.bank.org_id,
        }),
      );
      summary.defaulted++;
    } else if (!settled && stop === null && maturity < today) summary.repaid++;
  }

  await refreshClassifications(db, today);
  const overdue = await db
    .selectFrom("loan_accounts")
    .select(["application_id", "risk_class", "days_past_due", "bank_org_id"])
    .where("status", "=", "open")
    .where("days_past_due", ">", 0)
    .orderBy("days_past_due")
    .execute();
  // The bank classifies the least overdue loan more severely than its floor, with its reason.
  const first = overdue[0];
  if (first) {
    const bank = loans.find((l) => l.applicationId === first.application_id)!.bank;
    await overrideClassification(db, {
      applicationId: first.application_id,
      riskClass: "substandard",
      reason: "企业主要客户流失、经营性现金流明显下降，预计还款能力不足（贷后检查）",
      actorUserId: bank.id,
      actorOrgId: bank.org_id,
      bankOrgId: bank.org_id,
      today,
    });
  }
  const classes = await db
    .selectFrom("loan_accounts")
    .select(["risk_class", (eb) => eb.fn.countAll<number | string>().as("n")])
    .where("status", "in", ["open", "defaulted"])
    .groupBy("risk_class")
    .execute();
  for (const c of classes) summary.overdueByClass[c.risk_class] = Number(c.n);

  summary.feesPaid = await replayFees(db, loans, today, admin);
  return summary;
}

/**
 * Annual fees of the patents pledged to open loans, paid by the firm before each deadline (now and
 * then late, in the grace period, with the surcharge), up to today. Left unpaid: deadlines still
 * ahead (the fees due soon), one patent in its grace period and one that lapsed.
 */
async function replayFees(
  db: Db,
  loans: readonly ServicedLoan[],
  today: string,
  admin: { id: number; org_id: number },
): Promise<number> {
  const open = await db
    .selectFrom("loan_accounts")
    .innerJoin(
      "application_assets",
      "application_assets.application_id",
      "loan_accounts.application_id",
    )
    .innerJoin("ip_assets", "ip_assets.id", "application_assets.asset_id")
    .select([
      "loan_accounts.application_id",
      "loan_accounts.start_date",
      "loan_accounts.days_past_due",
      "ip_assets.id as asset_id",
      "ip_assets.ip_type",
      "ip_assets.filing_date",
      "ip_assets.expiry_date",
    ])
    .where("loan_accounts.status", "=", "open")
    .where("ip_assets.ip_type", "!=", "trademark")
    .orderBy("loan_accounts.application_id")
    .orderBy("ip_assets.id")
    .execute();
  const firmOf = new Map(loans.map((l) => [l.applicationId, l]));
  // Each patent's fee deadlines from the loan's value date to today.
  const deadlinesOf = (a: (typeof open)[number]) => {
    const filing = a.filing_date!;
    const out: { year: number; deadline: string }[] = [];
    for (let y = feeYearOn(filing, a.start_date) + 1; y <= 20; y++) {
      const deadline = patentFeeDeadline(filing, y);
      if (deadline >= a.expiry_date || deadline > addDays(today, 400)) break;
      out.push({ year: y, deadline });
    }
    return out;
  };
  // One patent of a loan that is paying is left unpaid past its grace period, one inside it.
  const pick = (lo: number, hi: number, not: Set<number>) =>
    open.find(
      (a) =>
        a.filing_date !== null &&
        a.days_past_due === 0 &&
        !not.has(a.asset_id) &&
        deadlinesOf(a).some((d) => {
          const late = daysBetween(d.deadline, today);
          return late >= lo && late <= hi;
        }),
    );
  const lapsed = pick(200, 320, new Set());
  const grace = pick(20, 70, new Set(lapsed ? [lapsed.asset_id] : []));
  let paid = 0;
  for (const a of open) {
    if (a.filing_date === null) continue;
    const loan = firmOf.get(a.application_id);
    if (!loan) continue;
    const r = loanRand(a.asset_id, 0xfee);
    for (const { year, deadline } of deadlinesOf(a)) {
      if (deadline >= today) break;
      const late = daysBetween(deadline, today);
      if (a.asset_id === lapsed?.asset_id && late >= 200) break;
      if (a.asset_id === grace?.asset_id && late <= 70) break;
      const lateDays = r() < 0.06 ? 5 + Math.floor(r() * 40) : 0;
      let paidDate = lateDays
        ? addDays(deadline, lateDays)
        : addDays(deadline, -(5 + Math.floor(r() * 40)));
      if (paidDate > today) paidDate = today;
      const m = lateMonth(deadline, paidDate) ?? 0;
      const fee = annualFeeFen(a.ip_type, year);
      const byBank = r() < 0.25;
      await replayAt(at(paidDate, 3), () =>
        recordFeePayment(
          db,
          byBank
            ? { userId: loan.bank.id, orgId: loan.bank.org_id, role: "bank_officer" }
            : { userId: loan.firm.id, orgId: loan.firm.org_id, role: "firm" },
          {
            assetId: a.asset_id,
            feeYear: year,
            paidDate,
            amountFen: fee + surchargeFen(fee, PATENT_SURCHARGE_BP[m]),
            receiptNumber: `CNIPA${paidDate.replace(/-/g, "")}${String(a.asset_id).padStart(6, "0")}${year}`,
          },
          paidDate,
        ),
      );
      paid++;
    }
  }
  if (lapsed) {
    const d = deadlinesOf(lapsed).find((x) => daysBetween(x.deadline, today) >= 200)!;
    const notice = addDays(graceEnd(d.deadline), 20);
    await replayAt(at(notice <= today ? notice : today, 4), () =>
      recordLegalEvent(
        db,
        { userId: admin.id, orgId: admin.org_id, role: "admin" },
        {
          assetId: lapsed.asset_id,
          eventType: "lapse",
          eventDate: addDays(d.deadline, 1),
          noticeDate: notice <= today ? notice : today,
          note: "未缴年费专利权终止（国家知识产权局专利公报）",
          source: "admin",
        },
        today,
      ),
    );
  }
  return paid;
}
