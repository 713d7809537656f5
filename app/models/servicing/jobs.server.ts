import { addDays } from "../../domain/ip";
import type { Db } from "../../utils/db.server";
import { nowInstant } from "../../utils/time";
import { REMINDER_MAILS } from "../../domain/mail";
import { isUniqueViolation } from "../errors";
import { mailOrganisation } from "../notice-mail.server";
import { watchList } from "./collateral.server";
import { ensureLoanAccounts, getLoanView, refreshClassifications } from "./loan.server";

/**
 * The daily servicing checks (docs/domain.md#collateral-monitoring): open loan accounts missing
 * for disbursed deals, reclassify every open loan, and send the reminders that are due. Run by the
 * in-app scheduler (scripts/serve.ts, croner) and by hand with `npm run jobs:daily`.
 *
 * Idempotent twice over: job_runs has one row per (job, day), so a second process or a second run
 * the same day does nothing; and each reminder has a unique dedupe key, so even a forced re-run
 * sends nothing twice.
 *
 * Every reminder is also mailed (REMINDER_MAILS in app/domain/mail.ts) to each of its recipients in
 * their language, in the transaction of the reminder row: same dedupe key, so never twice.
 */

export const DAILY_JOB = "servicing-daily";

export interface DailyResult {
  ran: boolean;
  opened: number;
  reclassified: number;
  reminders: number;
}

/** Claims (job, day); false when another run has it. A failed run may be claimed again. */
async function claim(db: Db, job: string, day: string): Promise<boolean> {
  try {
    await db
      .insertInto("job_runs")
      .values({
        job,
        run_date: day,
        status: "running",
        started_at: nowInstant(),
        finished_at: null,
        detail_json: null,
      })
      .execute();
    return true;
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const res = await db
      .updateTable("job_runs")
      .set({ status: "running", started_at: nowInstant() })
      .where("job", "=", job)
      .where("run_date", "=", day)
      .where("status", "=", "failed")
      .executeTakeFirst();
    return res.numUpdatedRows > 0n;
  }
}

export async function runDailyJobs(
  db: Db,
  today: string,
  opts: { force?: boolean } = {},
): Promise<DailyResult> {
  if (!opts.force && !(await claim(db, DAILY_JOB, today))) {
    return { ran: false, opened: 0, reclassified: 0, reminders: 0 };
  }
  try {
    const opened = await ensureLoanAccounts(db);
    const reclassified = await refreshClassifications(db, today);
    const reminders = await sendReminders(db, today);
    const result = { ran: true, opened, reclassified, reminders };
    await db
      .updateTable("job_runs")
      .set({ status: "done", finished_at: nowInstant(), detail_json: JSON.stringify(result) })
      .where("job", "=", DAILY_JOB)
      .where("run_date", "=", today)
      .execute();
    return result;
  } catch (e) {
    await db
      .updateTable("job_runs")
      .set({
        status: "failed",
        finished_at: nowInstant(),
        detail_json: JSON.stringify({ error: String(e) }),
      })
      .where("job", "=", DAILY_JOB)
      .where("run_date", "=", today)
      .execute();
    throw e;
  }
}

interface Reminder {
  dedupe: string;
  kind: string;
  applicationId: number;
  bankOrgId: number;
  /** Null when only the bank is reminded (an asset of a firm no longer found). */
  firmOrgId: number | null;
  assetId: number | null;
  params: Record<string, string | number>;
}

/** The loan page each side opens: the bank's and the firm's. */
function loanLink(r: Reminder, orgId: number): string {
  return orgId === r.bankOrgId
    ? `/bank/loans/${r.applicationId}`
    : `/firm/loans/${r.applicationId}`;
}

/**
 * One reminder to every active user of the loan's bank and firm, once per dedupe key and user:
 * the reminders row (unique key), the in-app notification and — for the kinds in REMINDER_MAILS —
 * the e-mail in the user's language with their unsubscribe link (users who unsubscribed get only
 * the in-app one), all in one transaction, so a re-run never sends any of them twice.
 */
async function remind(db: Db, r: Reminder, today: string): Promise<number> {
  const orgIds = r.firmOrgId === null ? [r.bankOrgId] : [r.bankOrgId, r.firmOrgId];
  const users = await db
    .selectFrom("users")
    .select(["id", "org_id"])
    .where("org_id", "in", orgIds)
    .where("disabled", "=", 0)
    .orderBy("id")
    .execute();
  const template = REMINDER_MAILS[r.kind];
  let sent = 0;
  for (const u of users) {
    const link = loanLink(r, u.org_id);
    try {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto("reminders")
          .values({
            dedupe_key: `${r.dedupe}:u${u.id}`,
            kind: r.kind,
            user_id: u.id,
            application_id: r.applicationId,
            asset_id: r.assetId,
            run_date: today,
            created_at: nowInstant(),
          })
          .execute();
        await trx
          .insertInto("notifications")
          .values({
            user_id: u.id,
            kind: `servicing:reminders.${r.kind}`,
            params_json: JSON.stringify(r.params),
            link,
            created_at: nowInstant(),
            read_at: null,
          })
          .execute();
        if (template) {
          await mailOrganisation(trx, u.org_id, {
            template,
            params: r.params,
            link,
            userIds: [u.id],
          });
        }
      });
      sent++;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
  }
  return sent;
}

/**
 * Instalment due within 7 days; overdue (once per overdue episode, keyed by the oldest unpaid due
 * date); fee due within 30 and within 7 days; in grace; lapsed — to the bank and the firm.
 */
export async function sendReminders(db: Db, today: string): Promise<number> {
  const loans = await db
    .selectFrom("loan_accounts")
    .select(["application_id", "bank_org_id", "firm_org_id"])
    .where("status", "=", "open")
    .execute();
  let sent = 0;
  const in7 = addDays(today, 7);
  for (const l of loans) {
    const view = await getLoanView(db, l.application_id, today);
    if (!view) continue;
    const loan = {
      applicationId: l.application_id,
      bankOrgId: l.bank_org_id,
      firmOrgId: l.firm_org_id,
    };
    const next = view.position.instalments.find(
      (p) => !p.paid && p.dueDate >= today && p.dueDate <= in7,
    );
    if (next) {
      sent += await remind(
        db,
        {
          ...loan,
          dedupe: `instalment:${l.application_id}:${next.seq}`,
          kind: "instalmentDue",
          assetId: null,
          params: { applicationId: l.application_id, seq: next.seq, dueDate: next.dueDate },
        },
        today,
      );
    }
    if (view.position.oldestOverdueDate) {
      sent += await remind(
        db,
        {
          ...loan,
          dedupe: `overdue:${l.application_id}:${view.position.oldestOverdueDate}`,
          kind: "overdue",
          assetId: null,
          params: { applicationId: l.application_id, dueDate: view.position.oldestOverdueDate },
        },
        today,
      );
    }
  }
  const banks = [...new Set(loans.map((l) => l.bank_org_id))];
  for (const bankOrgId of banks) {
    for (const w of await watchList(db, { kind: "bank", bankOrgId }, today)) {
      const firmOrgId = loans.find((l) => l.application_id === w.applicationId)?.firm_org_id;
      for (const a of w.assets) {
        const f = a.fee;
        const base = {
          applicationId: w.applicationId,
          bankOrgId,
          firmOrgId: firmOrgId ?? null,
          assetId: a.assetId,
        };
        const params = { applicationId: w.applicationId, number: a.number };
        if (f.state === "due_soon") {
          const kind = f.daysUntil <= 7 ? "feeDue7" : "feeDue30";
          sent += await remind(
            db,
            {
              ...base,
              dedupe: `${kind}:${a.assetId}:${f.deadline}`,
              kind,
              params: { ...params, deadline: f.deadline },
            },
            today,
          );
        } else if (f.state === "grace") {
          sent += await remind(
            db,
            {
              ...base,
              dedupe: `grace:${a.assetId}:${f.deadline}`,
              kind: "feeGrace",
              params: { ...params, graceEnd: f.graceEnd },
            },
            today,
          );
        } else if (f.state === "lapsed" || !a.counts) {
          sent += await remind(
            db,
            {
              ...base,
              dedupe: `lapsed:${a.assetId}`,
              kind: "feeLapsed",
              params,
            },
            today,
          );
        }
      }
    }
  }
  return sent;
}
