import { describe, expect, it } from "vitest";
import { addDays } from "../../app/domain/ip";
import {
  recordFeePayment,
  recordLegalEvent,
  watchList,
} from "../../app/models/servicing/collateral.server";
import { runDailyJobs, sendReminders } from "../../app/models/servicing/jobs.server";
import { ensureLoanAccounts, refreshClassifications } from "../../app/models/servicing/loan.server";
import { REMINDER_MAILS } from "../../app/domain/mail";
import { todayInChina } from "../../app/utils/time";
import { useTestDb as testDatabase } from "../support/db";
import {
  addAsset,
  createDealWorld,
  driveTo,
  newApplication,
  type DealWorld,
} from "../support/applications";

const t = testDatabase();
const today = todayInChina();

async function count(table: "reminders" | "notifications" | "mail_queue") {
  const r = await t.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

describe(`daily servicing job and collateral on ${process.env.TEST_DB ?? "sqlite"}`, () => {
  let w: DealWorld;
  let patent: number;
  let loan: number;

  it("sets up a loan overdue, with a patent whose fee deadline is 5 days away", async () => {
    w = await createDealWorld(t.db);
    patent = await addAsset(t.db, w.firmA.orgId, { valueFen: 1_000_000_000 });
    // Filing date chosen so the next fee deadline (day before an anniversary) is today + 5.
    const anniversary = addDays(today, 6);
    const filing = `${Number(anniversary.slice(0, 4)) - 5}${anniversary.slice(4)}`;
    await t.db
      .updateTable("ip_assets")
      .set({ filing_date: filing })
      .where("id", "=", patent)
      .execute();
    loan = await newApplication(t.db, w, { assetIds: [patent] });
    await driveTo(t.db, w, loan, "disbursed", { valueDate: addDays(today, -45) });
    // Disbursement opened the loan account already; the backfill finds nothing to do.
    expect(await ensureLoanAccounts(t.db)).toBe(0);
    const [watch] = await watchList(t.db, { kind: "bank", bankOrgId: w.bankX.orgId }, today);
    expect(watch.assets[0].fee).toMatchObject({ state: "due_soon", daysUntil: 5 });
    expect(watch.flags).toEqual(["fee_due"]);
    expect(watch.coverageBp).toBeGreaterThanOrEqual(10_000);
  });

  async function emailOf(userId: number) {
    const u = await t.db
      .selectFrom("users")
      .select("email")
      .where("id", "=", userId)
      .executeTakeFirstOrThrow();
    return u.email;
  }

  /** The reminder mails (not the deal-event mails of the set-up) queued for a user. */
  async function mailsTo(userId: number) {
    return t.db
      .selectFrom("mail_queue")
      .selectAll()
      .where("to_email", "=", await emailOf(userId))
      .where("template", "in", [...new Set(Object.values(REMINDER_MAILS))])
      .orderBy("id")
      .execute();
  }

  it("runs once per day and sends each reminder once, in-app and by mail", async () => {
    // The bank's second officer reads English; its first officer unsubscribed from notices.
    await t.db
      .updateTable("users")
      .set({ locale: "en" })
      .where("id", "=", w.bankX2.userId)
      .execute();
    await t.db
      .updateTable("users")
      .set({ mail_opt_out: 1 })
      .where("id", "=", w.bankX.userId)
      .execute();
    const mailsBefore = await count("mail_queue");
    const first = await runDailyJobs(t.db, today);
    expect(first.ran).toBe(true);
    expect(first.reminders).toBeGreaterThan(0);
    // The run reclassified the loan: 45 days after disbursement its first instalment is overdue.
    const [watch] = await watchList(t.db, { kind: "bank", bankOrgId: w.bankX.orgId }, today);
    expect(watch.flags).toEqual(["fee_due", "overdue"]);
    expect(watch.riskClass).toBe("special_mention");
    const reminders = await count("reminders");
    const notifications = await count("notifications");
    const mails = await count("mail_queue");

    // Each reminder by mail to every recipient who did not unsubscribe, in their language, with
    // their side's loan page and their unsubscribe link; in-app to all three.
    const firmMails = await mailsTo(w.firmA.userId);
    expect(firmMails.map((m) => m.template).sort()).toEqual([
      "collateralFeeDue",
      "repaymentOverdue",
    ]);
    for (const m of firmMails) {
      expect(m.locale).toBe("zh-CN");
      expect(m.body_text).toContain(`/firm/loans/${loan}`);
      expect(m.body_text).toContain("/unsubscribe/");
      expect(m.list_unsubscribe).toContain("/unsubscribe/");
    }
    expect(firmMails.find((m) => m.template === "collateralFeeDue")!.subject).toContain(
      "年费缴纳提醒",
    );
    const bankMails = await mailsTo(w.bankX2.userId);
    expect(bankMails.map((m) => m.template).sort()).toEqual([
      "collateralFeeDue",
      "repaymentOverdue",
    ]);
    for (const m of bankMails) {
      expect(m.locale).toBe("en");
      expect(m.body_text).toContain(`/bank/loans/${loan}`);
    }
    expect(bankMails.find((m) => m.template === "collateralFeeDue")!.subject).toMatch(
      /^Annual fee due by \d{4}-\d{2}-\d{2}: pledged asset /,
    );
    expect(await mailsTo(w.bankX.userId)).toEqual([]);
    expect(mails - mailsBefore).toBe(4);
    const inApp = await t.db
      .selectFrom("notifications")
      .select(["user_id", "link"])
      .where("kind", "like", "servicing:reminders.%")
      .execute();
    expect(new Set(inApp.map((n) => n.user_id))).toEqual(
      new Set([w.firmA.userId, w.bankX.userId, w.bankX2.userId]),
    );
    for (const n of inApp) {
      expect(n.link).toBe(
        n.user_id === w.firmA.userId ? `/firm/loans/${loan}` : `/bank/loans/${loan}`,
      );
    }

    expect(await runDailyJobs(t.db, today)).toMatchObject({ ran: false });
    expect(await runDailyJobs(t.db, today, { force: true })).toMatchObject({
      ran: true,
      reminders: 0,
    });
    expect(await sendReminders(t.db, today)).toBe(0);
    expect(await count("reminders")).toBe(reminders);
    expect(await count("notifications")).toBe(notifications);
    expect(await count("mail_queue")).toBe(mails);
    const kinds = await t.db.selectFrom("reminders").select("kind").distinct().execute();
    expect(kinds.map((k) => k.kind).sort()).toEqual(["feeDue7", "overdue"]);
  });

  it("moves the fee to grace, then lapse, which cuts the coverage at once", async () => {
    const inGrace = addDays(today, 10);
    const [g] = await watchList(t.db, { kind: "firm", firmOrgId: w.firmA.orgId }, inGrace);
    expect(g.assets[0].fee).toMatchObject({ state: "grace", lateMonth: 1, surchargeBp: 0 });
    const afterGrace = addDays(today, 200);
    const [l] = await watchList(t.db, { kind: "bank", bankOrgId: w.bankX.orgId }, afterGrace);
    expect(l.assets[0].fee.state).toBe("lapsed");
    expect(l.coverageBp).toBe(0);
    expect(l.flags).toContain("coverage");

    // The daily runs of those days remind of the grace period, then of the lapse: once each,
    // in-app and by mail, however often they run.
    for (const day of [inGrace, inGrace, afterGrace, afterGrace]) {
      await runDailyJobs(t.db, day, { force: true });
    }
    const firmMails = await mailsTo(w.firmA.userId);
    expect(firmMails.filter((m) => m.template === "collateralFeeGrace")).toHaveLength(1);
    expect(firmMails.filter((m) => m.template === "collateralLapsed")).toHaveLength(1);
    const lapsedMail = (await mailsTo(w.bankX2.userId)).find(
      (m) => m.template === "collateralLapsed",
    )!;
    expect(lapsedMail.subject).toContain(`no longer secures loan #${loan}`);
    const kinds = await t.db
      .selectFrom("reminders")
      .select((eb) => ["kind", eb.fn.countAll<number | string>().as("n")])
      .where("user_id", "=", w.firmA.userId)
      .groupBy("kind")
      .execute();
    expect(Object.fromEntries(kinds.map((k) => [k.kind, Number(k.n)]))).toMatchObject({
      feeGrace: 1,
      feeLapsed: 1,
    });
    // Back to today for the tests below.
    await refreshClassifications(t.db, today);
  });

  it("a fee payment keeps the patent alive; an invalidation takes it out at once", async () => {
    const filing = (
      await t.db
        .selectFrom("ip_assets")
        .select("filing_date")
        .where("id", "=", patent)
        .executeTakeFirstOrThrow()
    ).filing_date!;
    const feeYear = Number(addDays(today, 6).slice(0, 4)) - Number(filing.slice(0, 4)) + 1;
    await expect(
      recordFeePayment(
        t.db,
        { userId: w.firmB.userId, orgId: w.firmB.orgId, role: "firm" },
        { assetId: patent, feeYear, paidDate: today, amountFen: 120_000, receiptNumber: "R1" },
      ),
    ).rejects.toMatchObject({ status: 404 });
    await recordFeePayment(
      t.db,
      { userId: w.firmA.userId, orgId: w.firmA.orgId, role: "firm" },
      {
        assetId: patent,
        feeYear,
        paidDate: today,
        amountFen: 120_000,
        receiptNumber: "2026-RCPT-1",
      },
    );
    await expect(
      recordFeePayment(
        t.db,
        { userId: w.bankX.userId, orgId: w.bankX.orgId, role: "bank_officer" },
        { assetId: patent, feeYear, paidDate: today, amountFen: 120_000, receiptNumber: "R2" },
      ),
    ).rejects.toMatchObject({ key: "collateral:refusals.feeDuplicate" });
    const [paid] = await watchList(
      t.db,
      { kind: "bank", bankOrgId: w.bankX.orgId },
      addDays(today, 200),
    );
    expect(paid.assets[0].fee.state).toBe("paid");
    expect(paid.coverageBp).toBeGreaterThan(0);
    await recordLegalEvent(
      t.db,
      { userId: w.bankX.userId, orgId: w.bankX.orgId, role: "bank_officer" },
      {
        assetId: patent,
        eventType: "invalidated",
        eventDate: today,
        noticeDate: null,
        note: "复审决定",
        source: "bank",
      },
    );
    const [inv] = await watchList(t.db, { kind: "bank", bankOrgId: w.bankX.orgId }, today);
    expect(inv.coverageBp).toBe(0);
    expect(inv.flags).toEqual(expect.arrayContaining(["coverage", "lapsed"]));
    const status = await t.db
      .selectFrom("ip_assets")
      .select("status")
      .where("id", "=", patent)
      .executeTakeFirstOrThrow();
    expect(status.status).toBe("invalidated");
  });
});
