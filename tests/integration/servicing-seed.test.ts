/**
 * The demo's servicing history (issue 13 item 7, db/seed-servicing.ts): replayed through the model
 * functions, it reconciles to the fen, and every servicing page has something to show — early
 * repayments, settlements, overdue loans in each class, a default, fees due soon, one in grace and
 * one lapsed patent, and the day's reminders sent once.
 */
import { describe, expect, it } from "vitest";
import { reconcileTotals } from "../../app/models/ledger.server";
import { watchList } from "../../app/models/servicing/collateral.server";
import { runDailyJobs } from "../../app/models/servicing/jobs.server";
import { reconcileServicing } from "../../app/models/servicing/loan.server";
import { todayInChina } from "../../app/utils/time";
import { seedDemo } from "../../db/seed";
import { testDbKind, useTestDb } from "../support/db";

describe(`the demo's loan servicing history (${testDbKind()})`, () => {
  const t = useTestDb();
  const today = todayInChina();

  it("reconciles to the fen and shows every servicing state", async () => {
    await seedDemo(t.db);

    const servicing = await reconcileServicing(t.db);
    expect(servicing.drifts).toEqual([]);
    expect(servicing.outstanding_drift_fen).toBe(0);
    expect(servicing.repayment_drift_fen).toBe(0);
    expect(servicing.repayment_entries).toBeGreaterThan(1000);
    const totals = await reconcileTotals(t.db);
    expect(totals.driftFen).toBe(0);
    expect(totals.mismatchedApplications).toEqual([]);

    // Repayments of every kind, each on a day no later than today.
    const kinds = await t.db
      .selectFrom("repayment_entries")
      .select((eb) => [
        "kind",
        eb.fn.countAll<number | string>().as("n"),
        eb.fn.max("value_date").as("last"),
      ])
      .groupBy("kind")
      .execute();
    expect(kinds.map((k) => k.kind).sort()).toEqual([
      "early",
      "partial",
      "scheduled",
      "settlement",
    ]);
    for (const k of kinds) expect(String(k.last) <= today).toBe(true);

    // The application's state follows its loan account: repaid ⇔ closed at zero, disbursed ⇔ open.
    const states = await t.db
      .selectFrom("applications")
      .innerJoin("loan_accounts", "loan_accounts.application_id", "applications.id")
      .select((eb) => [
        "applications.state",
        "loan_accounts.status",
        eb.fn.countAll<number | string>().as("n"),
        eb.fn.sum<number | string>("loan_accounts.outstanding_principal_fen").as("outstanding"),
      ])
      .groupBy(["applications.state", "loan_accounts.status"])
      .execute();
    const byState = Object.fromEntries(states.map((s) => [`${s.state}/${s.status}`, s]));
    expect(Object.keys(byState).sort()).toEqual([
      "defaulted/defaulted",
      "disbursed/open",
      "repaid/closed",
    ]);
    expect(Number(byState["repaid/closed"].outstanding)).toBe(0);
    expect(Number(byState["disbursed/open"].outstanding)).toBeGreaterThan(0);
    const defaults = await t.db.selectFrom("loan_defaults").selectAll().execute();
    expect(defaults.length).toBe(Number(byState["defaulted/defaulted"].n));
    expect(defaults.every((d) => Number(d.principal_loss_fen) > 0)).toBe(true);

    // Open loans overdue in every class today, and one the bank classified more severely.
    const overdue = await t.db
      .selectFrom("loan_accounts")
      .select(["risk_class", "days_past_due", "override_class"])
      .where("status", "=", "open")
      .where("days_past_due", ">", 0)
      .execute();
    for (const cls of ["special_mention", "substandard", "doubtful", "loss"]) {
      expect(
        overdue.some((l) => l.risk_class === cls),
        cls,
      ).toBe(true);
    }
    expect(overdue.filter((l) => l.override_class !== null)).toHaveLength(1);
    const normal = await t.db
      .selectFrom("loan_accounts")
      .select("application_id")
      .where("status", "=", "open")
      .where("risk_class", "=", "normal")
      .execute();
    expect(normal.length).toBeGreaterThan(50);

    // Pledged patents: fees paid, some due soon, one in grace, one lapsed (status and coverage).
    const banks = await t.db
      .selectFrom("organisations")
      .select("id")
      .where("kind", "=", "bank")
      .execute();
    const watched = (
      await Promise.all(banks.map((b) => watchList(t.db, { kind: "bank", bankOrgId: b.id }, today)))
    ).flat();
    const feeStates = watched.flatMap((w) => w.assets.map((a) => a.fee.state));
    expect(feeStates.filter((s) => s === "due_soon").length).toBeGreaterThan(0);
    // One set in grace by the servicing history; the risk-sharing demo's covered loans pledge
    // patents of their own, whose fee dates follow the calendar (a second may be in grace).
    expect(feeStates.filter((s) => s === "grace").length).toBeGreaterThanOrEqual(1);
    expect(feeStates.filter((s) => s === "lapsed")).toHaveLength(1);
    const lapsedLoan = watched.find((w) => w.assets.some((a) => a.fee.state === "lapsed"))!;
    const lapsed = lapsedLoan.assets.find((a) => a.fee.state === "lapsed")!;
    expect(lapsed.status).toBe("lapsed");
    expect(lapsed.counts).toBe(false);
    expect(lapsedLoan.flags).toContain("lapsed");
    const paidFees = await t.db
      .selectFrom("collateral_fee_payments")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(paidFees.n)).toBeGreaterThan(20);

    // The seed ran today's checks: the reminders are there, by mail too, and a second run sends none.
    const reminderKinds = await t.db.selectFrom("reminders").select("kind").distinct().execute();
    expect(reminderKinds.map((r) => r.kind)).toEqual(
      expect.arrayContaining(["instalmentDue", "overdue", "feeGrace", "feeLapsed"]),
    );
    const mailTemplates = await t.db
      .selectFrom("mail_queue")
      .select("template")
      .distinct()
      .execute();
    expect(mailTemplates.map((m) => m.template)).toEqual(
      expect.arrayContaining([
        "instalmentDue",
        "repaymentOverdue",
        "collateralFeeGrace",
        "collateralLapsed",
      ]),
    );
    const count = async (table: "reminders" | "mail_queue" | "notifications") =>
      Number(
        (
          await t.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number | string>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = [
      await count("reminders"),
      await count("mail_queue"),
      await count("notifications"),
    ];
    expect(await runDailyJobs(t.db, today)).toMatchObject({ ran: false });
    expect(await runDailyJobs(t.db, today, { force: true })).toMatchObject({
      ran: true,
      reminders: 0,
    });
    expect([
      await count("reminders"),
      await count("mail_queue"),
      await count("notifications"),
    ]).toEqual(before);
  }, 1_200_000);
});
