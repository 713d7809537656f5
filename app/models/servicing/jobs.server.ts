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
 * The instalment-due and overdue reminders are also mailed to the firm's users (REMINDER_MAILS in
 * app/domain/mail.ts), in the transaction of the reminder row: same dedupe key, so never twice.
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
  orgIds: number[];
  applicationId: number | null;
  assetId: number | null;
  params: Record<string, string | number>;
  link: string;
  /** The organisation whose users are also mailed (REMINDER_MAILS), with the link for them. */
  mail?: { orgId: number; link: string };
}

/** One reminder to every active user of the organisations, once per dedupe key and user. */
async function remind(db: Db, r: Reminder, today: string): Promise<number> {
  const users = await db
    .selectFrom("users")
    .select(["id", "org_id"])
    .where("org_id", "in", r.orgIds)
    .where("disabled", "=", 0)
    .execute();
  const template = REMINDER_MAILS[r.kind];
  let sent = 0;
  for (const u of users) {
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
            link: r.link,
            created_at: nowInstant(),
            read_at: null,
          })
          .execute();
        if (template && r.mail && r.mail.orgId === u.org_id) {
          await mailOrganisation(trx, u.org_id, {
            template,
            params: r.params,
            link: r.mail.link,
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
    const orgIds = [l.bank_org_id, l.firm_org_id];
    const link = `/applications/${l.application_id}`;
    const next = view.position.instalments.find(
      (p) => !p.paid && p.dueDate >= today && p.dueDate <= in7,
    );
    if (next) {
      sent += await remind(
        db,
        {
          dedupe: `instalment:${l.application_id}:${next.seq}`,
          kind: "instalmentDue",
          orgIds,
          applicationId: l.application_id,
          assetId: null,
          params: { applicationId: l.application_id, seq: next.seq, dueDate: next.dueDate },
          link,
          mail: { orgId: l.firm_org_id, link: `/firm/applications/${l.application_id}` },
        },
        today,
      );
    }
    if (view.position.oldestOverdueDate) {
      sent += await remind(
        db,
        {
          dedupe: `overdue:${l.application_id}:${view.position.oldestOverdueDate}`,
          kind: "overdue",
          orgIds,
          applicationId: l.application_id,
          assetId: null,
          params: { applicationId: l.application_id, dueDate: view.position.oldestOverdueDate },
          link,
          mail: { orgId: l.firm_org_id, link: `/firm/applications/${l.application_id}` },
        },
        today,
      );
    }
  }
  const banks = [...new Set(loans.map((l) => l.bank_org_id))];
  for (const bankOrgId of banks) {
    for (const w of await watchList(db, { kind: "bank", bankOrgId }, today)) {
      const firm = loans.find((l) => l.application_id === w.applicationId)?.firm_org_id;
      const orgIds = firm ? [bankOrgId, firm] : [bankOrgId];
      for (const a of w.assets) {
        const f = a.fee;
        const base = {
          orgIds,
          applicationId: w.applicationId,
          assetId: a.assetId,
          link: `/servicing/watch`,
        };
        if (f.state === "due_soon") {
          const kind = f.daysUntil <= 7 ? "feeDue7" : "feeDue30";
          sent += await remind(
            db,
            {
              ...base,
              dedupe: `${kind}:${a.assetId}:${f.deadline}`,
              kind,
              params: { number: a.number, deadline: f.deadline },
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
              params: { number: a.number, graceEnd: f.graceEnd },
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
              params: { number: a.number },
            },
            today,
          );
        }
      }
    }
  }
  return sent;
}
