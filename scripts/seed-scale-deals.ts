/**
 * The deal flow of `npm run seed:scale` (issue 15): applications in every state, their pledged
 * assets and pledge locks, the disbursement ledger (with a few reversals), loan accounts with their
 * schedules and the scheduled repayments already due, signed formal appraisals, and audit rows.
 *
 * Rows are generated in JavaScript with the domain's own functions (buildSchedule, productSnapshot)
 * and written in multi-row INSERTs, flushed every few thousand rows so 10⁶ rows never sit in memory.
 * The running totals (disbursement_totals, disbursement_rollups, financed_firms, servicing_rollups)
 * are then REBUILT from the ledger with the same grouping `npm run reconcile` recomputes, so
 * reconcile reports no drift by construction.
 */
import { fakerZH_CN as faker } from "@faker-js/faker";
import { sql } from "kysely";
import type { Database, IpType, LoanProduct } from "../db/schema";
import { DISBURSED_STATES, monthOf, type ApplicationState } from "../app/domain/application";
import { addDays, addMonthsClamped } from "../app/domain/ip";
import { buildSchedule, type RepaymentMethod } from "../app/domain/servicing/schedule";
import { productSnapshot } from "../app/models/product.server";
import { supportColumns } from "../app/domain/analytics/figures";
import type { Db } from "../app/utils/db.server";

type Row = Record<string, unknown>;

/** Buffers rows per table and writes them in multi-row INSERTs, one transaction per flush. */
export class RowSink {
  private buffers = new Map<keyof Database, Row[]>();
  readonly written = new Map<keyof Database, number>();
  constructor(
    private db: Db,
    private flushAt = 20_000,
  ) {}

  async push(table: keyof Database, row: Row): Promise<void> {
    let buf = this.buffers.get(table);
    if (!buf) this.buffers.set(table, (buf = []));
    buf.push(row);
    if (buf.length >= this.flushAt) await this.flush(table);
  }

  async flush(table?: keyof Database): Promise<void> {
    const tables = table ? [table] : [...this.buffers.keys()];
    for (const t of tables) {
      const rows = this.buffers.get(t) ?? [];
      if (rows.length === 0) continue;
      this.buffers.set(t, []);
      const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
      const full = rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null])));
      // SQLite allows 32766 bound values per statement.
      const batch = Math.max(50, Math.floor(30_000 / columns.length));
      await this.db.transaction().execute(async (trx) => {
        for (let i = 0; i < full.length; i += batch) {
          await trx
            .insertInto(t)
            // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows built per table
            .values(full.slice(i, i + batch) as any)
            .execute();
        }
      });
      this.written.set(t, (this.written.get(t) ?? 0) + rows.length);
    }
  }
}

export interface ScaleFirm {
  id: number;
  regionCode: string;
  industry: string;
}

export interface ScaleAsset {
  id: number;
  ip_type: IpType;
  inForce: boolean;
  indicative_value_fen: number | null;
  formal_value_fen: number | null;
  formal_valid_until: string | null;
}

export interface DealOptions {
  applications: number;
  today: string;
  firms: ScaleFirm[];
  assetsByFirm: Map<number, ScaleAsset[]>;
  /** The product rows as inserted (every column of LoanProduct but the generated defaults). */
  products: Row[];
  requestsByFirm: Map<number, number[]>;
  log: (s: string) => void;
}

export interface DealInfo {
  applications: number;
  byState: Record<string, number>;
  ledgerEntries: number;
  loans: number;
  repaymentEntries: number;
  scheduleRows: number;
  appraisals: number;
  auditRows: number;
}

const STATE_WEIGHTS: ReadonlyArray<readonly [ApplicationState, number]> = [
  ["draft", 5],
  ["submitted", 7],
  ["under_review", 8],
  ["approved", 4],
  ["rejected", 10],
  ["pledge_registered", 3],
  ["disbursed", 38],
  ["repaid", 13],
  ["defaulted", 3],
  ["withdrawn", 9],
];

const METHODS: RepaymentMethod[] = [
  "equal_instalment",
  "equal_instalment",
  "equal_principal",
  "interest_only",
  "bullet",
];

const DAY_MS = 86_400_000;

async function nextId(db: Db, table: keyof Database): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select(sql<number>`COALESCE(MAX(id), 0)`.as("m"))
    .executeTakeFirstOrThrow();
  return Number(row.m) + 1;
}

/** A business-day instant (China morning, stored UTC) on `date`, plus `minutes`. */
function instantOn(date: string, minutes: number): string {
  const d = new Date(`${date}T01:00:00.000Z`).getTime() + minutes * 60_000;
  return new Date(d).toISOString().replace("T", " ").replace("Z", "");
}

export async function seedScaleDeals(db: Db, o: DealOptions): Promise<DealInfo> {
  const sink = new RowSink(db);
  const today = o.today;
  const todayMs = new Date(`${today}T00:00:00Z`).getTime();
  const dateBefore = (days: number) => new Date(todayMs - days * DAY_MS).toISOString().slice(0, 10);
  const chance = (p: number) => faker.number.float({ min: 0, max: 1 }) < p;
  const totalWeight = STATE_WEIGHTS.reduce((s, [, w]) => s + w, 0);
  const pickState = (): ApplicationState => {
    let r = faker.number.float({ min: 0, max: totalWeight });
    for (const [s, w] of STATE_WEIGHTS) {
      r -= w;
      if (r <= 0) return s;
    }
    return "withdrawn";
  };
  const productsByBank = new Map<number, Row[]>();
  for (const p of o.products) {
    const list = productsByBank.get(Number(p.bank_org_id)) ?? [];
    list.push(p);
    productsByBank.set(Number(p.bank_org_id), list);
  }
  const snapshots = new Map<number, string>();
  const snapshotOf = (p: Row) => {
    let s = snapshots.get(Number(p.id));
    if (!s) {
      s = JSON.stringify(
        productSnapshot({ ...p, min_coverage_bp: 0, repayment_methods_mask: 15 } as LoanProduct),
      );
      snapshots.set(Number(p.id), s);
    }
    return s;
  };
  const supports = new Map<number, ReturnType<typeof supportColumns>>();
  const supportOf = (p: Row) => {
    let s = supports.get(Number(p.id));
    if (!s) supports.set(Number(p.id), (s = supportColumns(snapshotOf(p))));
    return s;
  };

  // ---- valuers and the formal appraisals behind the seeded formal values ----
  let orgId = await nextId(db, "organisations");
  const valuers: number[] = [];
  const now = instantOn(today, 0);
  for (const name of [
    "北疆资产评估（规模测试）",
    "草原知识产权评估（规模测试）",
    "鹿城评估（规模测试）",
  ]) {
    valuers.push(orgId);
    await sink.push("organisations", { id: orgId++, kind: "valuer", name, created_at: now });
  }
  await sink.flush("organisations");
  let orderId = await nextId(db, "appraisal_orders");
  let appraisalId = await nextId(db, "appraisals");
  let appraisals = 0;
  for (const firm of o.firms) {
    for (const a of o.assetsByFirm.get(firm.id) ?? []) {
      if (a.formal_value_fen === null || a.formal_valid_until === null) continue;
      const signed = addDays(addMonthsClamped(a.formal_valid_until, -12), 1);
      const valuer = valuers[a.id % valuers.length];
      const id = orderId++;
      const central = a.formal_value_fen;
      const fee = Math.max(300_000, Math.round((central * 0.003) / 100) * 100);
      await sink.push("appraisal_orders", {
        id,
        firm_org_id: firm.id,
        valuer_org_id: valuer,
        status: "signed",
        fee_fen: fee,
        payment_mode: "offline",
        idempotency_key: `scale-order-${id}`,
        created_by: 0,
        created_at: instantOn(addDays(signed, -20), 0),
        paid_at: instantOn(addDays(signed, -18), 0),
        version: 4,
      });
      await sink.push("appraisal_order_items", {
        order_id: id,
        asset_id: a.id,
        indicative_central_fen: a.indicative_value_fen ?? central,
      });
      await sink.push("appraisals", {
        id: appraisalId,
        order_id: id,
        asset_id: a.id,
        valuer_org_id: valuer,
        report_number: `SCALE-${signed.slice(0, 4)}-${String(appraisalId).padStart(7, "0")}`,
        verification_token: `scale${appraisalId}${faker.string.alphanumeric(24)}`,
        low_fen: Math.round(central * 0.85),
        central_fen: central,
        high_fen: Math.round(central * 1.15),
        method: "income",
        assumptions: "持续经营；按现有用途使用。",
        report_text: "规模测试评估报告。",
        signed_by: 0,
        signed_at: instantOn(signed, 0),
        signed_date: signed,
        basis_date: signed,
        valid_until: a.formal_valid_until,
      });
      appraisalId++;
      appraisals++;
    }
  }
  await sink.flush();
  o.log(`${appraisals} signed appraisals`);

  // ---- applications ----
  let appId = await nextId(db, "applications");
  let entryId = await nextId(db, "ledger_entries");
  let repaymentId = await nextId(db, "repayment_entries");
  let auditId = await nextId(db, "audit_log");
  const locked = new Set<number>();
  const byState: Record<string, number> = {};
  let ledgerEntries = 0;
  let loans = 0;
  let repaymentEntries = 0;
  let scheduleRows = 0;
  const bankIds = [...productsByBank.keys()];

  for (let n = 0; n < o.applications; n++) {
    const firm = o.firms[faker.number.int({ min: 0, max: o.firms.length - 1 })];
    const assets = (o.assetsByFirm.get(firm.id) ?? []).filter(
      (a) => a.inForce && (a.formal_value_fen ?? a.indicative_value_fen) !== null,
    );
    if (assets.length === 0) continue;
    const bankProducts = productsByBank.get(bankIds[n % bankIds.length])!;
    const product = bankProducts[faker.number.int({ min: 0, max: bankProducts.length - 1 })];
    let state = pickState();
    // A defaulted loan's pledge stands until its IP is disposed of (decision 022); the scale
    // seed lists no disposals, so its defaulted loans keep their locks.
    const wantsLock =
      state === "approved" ||
      state === "pledge_registered" ||
      state === "disbursed" ||
      state === "defaulted";
    let pledged = faker.helpers.arrayElements(assets, { min: 1, max: Math.min(3, assets.length) });
    if (wantsLock) {
      pledged = pledged.filter((a) => !locked.has(a.id));
      // Every asset of the firm is pledged elsewhere: this deal was closed long ago.
      if (pledged.length === 0) {
        pledged = [assets[0]];
        state = "repaid";
      }
    }
    const id = appId++;
    byState[state] = (byState[state] ?? 0) + 1;
    const minAmount = Number(product.min_amount_fen);
    const maxAmount = Number(product.max_amount_fen);
    const amount =
      Math.round(
        faker.number.int({ min: minAmount, max: Math.min(maxAmount, minAmount * 10) }) / 1_000_000,
      ) * 1_000_000 || minAmount;
    const term = Math.min(
      Number(product.max_term_months),
      Math.max(Number(product.min_term_months), faker.helpers.arrayElement([6, 12, 12, 24, 36])),
    );
    const rate = faker.number.int({
      min: Number(product.min_rate_bp),
      max: Number(product.max_rate_bp),
    });
    // Repaid deals ran their whole term; the others are spread over the last two years.
    const ageDays =
      state === "repaid"
        ? term * 31 + faker.number.int({ min: 30, max: 400 })
        : faker.number.int({ min: 1, max: 720 });
    const created = dateBefore(ageDays);
    const step = (days: number) => {
      const d = addDays(created, days);
      return d > today ? today : d;
    };
    const reached = (s: ApplicationState) => {
      const order: ApplicationState[] = [
        "draft",
        "submitted",
        "under_review",
        "approved",
        "pledge_registered",
        "disbursed",
      ];
      const at = (x: ApplicationState) =>
        x === "repaid" || x === "defaulted"
          ? 5
          : x === "rejected"
            ? 2
            : x === "withdrawn"
              ? 1
              : order.indexOf(x);
      return at(state) >= order.indexOf(s);
    };
    const approved = reached("approved") && state !== "rejected" && state !== "withdrawn";
    const disbursed = (DISBURSED_STATES as readonly string[]).includes(state);
    const primary = pledged
      .slice()
      .sort(
        (a, b) =>
          (b.formal_value_fen ?? b.indicative_value_fen ?? 0) -
          (a.formal_value_fen ?? a.indicative_value_fen ?? 0),
      )[0].ip_type;
    const approvedAmount = approved ? amount : null;
    const method = METHODS[id % METHODS.length];
    const disbursedDate = disbursed ? step(ageDays > 20 ? 20 : 0) : null;
    let closedDate: string | null = null;
    if (state === "rejected" || state === "withdrawn") closedDate = step(4);
    const appRow: Row = {
      id,
      request_id: (o.requestsByFirm.get(firm.id) ?? [])[0] ?? null,
      product_id: product.id,
      firm_org_id: firm.id,
      bank_org_id: product.bank_org_id,
      region_code: firm.regionCode,
      industry_section: firm.industry,
      state,
      version:
        1 +
        ["submitted", "under_review", "approved", "pledge_registered", "disbursed"].filter((s) =>
          reached(s as ApplicationState),
        ).length,
      amount_fen: amount,
      term_months: term,
      rate_bp: rate,
      product_snapshot_json: snapshotOf(product),
      ...supportOf(product),
      approved_amount_fen: approvedAmount,
      approved_rate_bp: approved ? rate : null,
      approved_term_months: approved ? term : null,
      primary_ip_type: approved ? primary : null,
      pledge_reg_number: reached("pledge_registered") && approved ? `蒙质登${id}` : null,
      pledge_reg_date: reached("pledge_registered") && approved ? step(12) : null,
      disbursed_amount_fen: disbursed ? approvedAmount : null,
      disbursed_date: disbursedDate,
      closed_date: closedDate,
      reject_reason: state === "rejected" ? "押品价值不足" : null,
      created_at: instantOn(created, 0),
      submitted_at: state !== "draft" ? instantOn(step(1), 10) : null,
      review_started_at:
        reached("under_review") && state !== "withdrawn" ? instantOn(step(3), 20) : null,
      approved_at: approved ? instantOn(step(8), 30) : null,
      registered_at: reached("pledge_registered") && approved ? instantOn(step(12), 40) : null,
      disbursed_at: disbursedDate ? instantOn(disbursedDate, 50) : null,
      closed_at: closedDate ? instantOn(closedDate, 60) : null,
      updated_at: instantOn(closedDate ?? disbursedDate ?? step(8), 70),
      repayment_method: approved ? method : null,
    };
    for (const a of pledged) {
      await sink.push("application_assets", {
        application_id: id,
        asset_id: a.id,
        ip_type: a.ip_type,
        value_fen: a.formal_value_fen ?? a.indicative_value_fen ?? 0,
        pledge_rate_bp: Number(product[`pledge_rate_${a.ip_type}_bp`] ?? 0),
      });
      if (wantsLock && state !== "repaid") {
        locked.add(a.id);
        await sink.push("pledge_locks", {
          asset_id: a.id,
          application_id: id,
          locked_at: String(appRow.approved_at),
        });
      }
    }
    await sink.push("audit_log", {
      id: auditId++,
      actor_user_id: null,
      org_id: disbursed || approved ? product.bank_org_id : firm.id,
      action: "application.seed_scale",
      entity_type: "application",
      entity_id: String(id),
      from_state: null,
      to_state: state,
      reason: null,
      detail_json: null,
      created_at: String(appRow.updated_at),
    });

    if (disbursed && disbursedDate && approvedAmount !== null) {
      const ipType = primary;
      const entry = {
        region_code: firm.regionCode,
        bank_org_id: product.bank_org_id,
        firm_org_id: firm.id,
        ip_type: ipType,
        value_date: disbursedDate,
        month: monthOf(disbursedDate),
        created_by: 0,
      };
      // About one in 200 disbursements was first booked with a dropped zero, reversed by an
      // administrator and entered again with the right amount (decision 021): the wrong entry,
      // its reversal and the corrected disbursement, which names the reversal.
      let afterReversalId: number | null = null;
      if (chance(0.005)) {
        const wrongId = entryId++;
        const wrongFen = Math.max(1, Math.floor(approvedAmount / 10));
        await sink.push("ledger_entries", {
          id: wrongId,
          entry_type: "disbursement",
          application_id: id,
          disbursement_key: id,
          reverses_entry_id: null,
          after_reversal_id: null,
          amount_fen: wrongFen,
          reason: null,
          created_at: appRow.disbursed_at,
          ...entry,
        });
        afterReversalId = entryId++;
        await sink.push("ledger_entries", {
          id: afterReversalId,
          entry_type: "reversal",
          application_id: id,
          disbursement_key: null,
          reverses_entry_id: wrongId,
          after_reversal_id: null,
          amount_fen: -wrongFen,
          reason: "金额录入错误（规模测试）",
          created_at: appRow.disbursed_at,
          ...entry,
        });
        ledgerEntries += 2;
      }
      await sink.push("ledger_entries", {
        id: entryId++,
        entry_type: "disbursement",
        application_id: id,
        disbursement_key: afterReversalId === null ? id : null,
        reverses_entry_id: null,
        after_reversal_id: afterReversalId,
        amount_fen: approvedAmount,
        reason: null,
        created_at: appRow.disbursed_at,
        ...entry,
      });
      ledgerEntries++;

      // The loan account, its schedule and the repayments already due.
      const schedule = buildSchedule({
        method,
        principalFen: approvedAmount,
        annualRateBp: rate,
        termMonths: term,
        startDate: disbursedDate,
      });
      let paidP = 0;
      let paidI = 0;
      let entries = 0;
      let lastValue: string | null = null;
      // A defaulted loan stopped paying halfway; a few open loans are one instalment behind.
      const stopAt =
        state === "defaulted"
          ? Math.floor(schedule.length / 2)
          : state === "disbursed" && chance(0.05)
            ? -1
            : schedule.length;
      const due = schedule.filter((r) => r.dueDate <= today);
      const paid = stopAt === -1 ? due.slice(0, Math.max(0, due.length - 1)) : due.slice(0, stopAt);
      for (const r of schedule) {
        await sink.push("loan_schedule_rows", {
          application_id: id,
          seq: r.seq,
          due_date: r.dueDate,
          opening_principal_fen: r.openingPrincipalFen,
          principal_fen: r.principalFen,
          interest_fen: r.interestFen,
        });
        scheduleRows++;
      }
      for (const r of paid) {
        await sink.push("repayment_entries", {
          id: repaymentId,
          application_id: id,
          entry_type: "repayment",
          kind: "scheduled",
          idempotency_key: `scale-${id}-${r.seq}`,
          reverses_entry_id: null,
          value_date: r.dueDate,
          month: monthOf(r.dueDate),
          principal_fen: r.principalFen,
          interest_fen: r.interestFen,
          region_code: entry.region_code,
          bank_org_id: entry.bank_org_id,
          firm_org_id: entry.firm_org_id,
          ip_type: ipType,
          reason: null,
          created_by: 0,
          created_at: instantOn(r.dueDate, 90),
        });
        repaymentId++;
        paidP += r.principalFen;
        paidI += r.interestFen;
        entries++;
        lastValue = r.dueDate;
      }
      repaymentEntries += entries;
      const maturity = addMonthsClamped(disbursedDate, term);
      const closed = state === "repaid" ? (lastValue ?? maturity) : null;
      if (state === "repaid") {
        appRow.closed_date = closed;
        appRow.closed_at = instantOn(closed!, 60);
      } else if (state === "defaulted") {
        const d = addDays(lastValue ?? disbursedDate, 120);
        appRow.closed_date = d > today ? today : d;
        appRow.closed_at = instantOn(String(appRow.closed_date), 60);
      }
      await sink.push("loan_accounts", {
        application_id: id,
        product_id: product.id,
        firm_org_id: firm.id,
        bank_org_id: product.bank_org_id,
        region_code: firm.regionCode,
        ip_type: ipType,
        method,
        principal_fen: approvedAmount,
        rate_bp: rate,
        term_months: term,
        start_date: disbursedDate,
        maturity_date: maturity,
        status: state === "repaid" ? "closed" : state === "defaulted" ? "defaulted" : "open",
        outstanding_principal_fen: approvedAmount - paidP,
        principal_repaid_fen: paidP,
        interest_repaid_fen: paidI,
        entry_count: entries,
        last_value_date: lastValue,
        days_past_due: 0,
        overdue_fen: 0,
        risk_class: state === "defaulted" ? "loss" : "normal",
        override_class: null,
        classified_on: null,
        closed_date: closed,
        version: 1 + entries,
        created_at: appRow.disbursed_at,
        updated_at: instantOn(lastValue ?? disbursedDate, 95),
      });
      loans++;
    }
    await sink.push("applications", appRow);
    if (n > 0 && n % 20_000 === 0) o.log(`  ${n} applications…`);
  }
  await sink.flush();
  o.log(
    `${Object.values(byState).reduce((a, b) => a + b, 0)} applications ${JSON.stringify(byState)}, ${ledgerEntries} ledger entries, ${loans} loans, ${scheduleRows} schedule rows, ${repaymentEntries} repayment entries`,
  );
  await rebuildRunningTotals(db);
  o.log("running totals rebuilt from the ledger");
  return {
    applications: Object.values(byState).reduce((a, b) => a + b, 0),
    byState,
    ledgerEntries,
    loans,
    repaymentEntries,
    scheduleRows,
    appraisals,
    auditRows: sink.written.get("audit_log") ?? 0,
  };
}

/**
 * Rebuilds every running total from the ledgers, grouped exactly as `npm run reconcile` regroups
 * them (decision 005 and 010): disbursement_totals per 盟市 × bank × IP type × month, the five
 * disbursement rollups, financed_firms and the firms rollup, and the servicing rollups (outstanding
 * = principal of loans by start month − principal repaid by entry month).
 */
export async function rebuildRunningTotals(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("disbursement_totals").execute();
    await trx.deleteFrom("disbursement_rollups").execute();
    await trx.deleteFrom("financed_firms").execute();
    await trx.deleteFrom("servicing_rollups").execute();
    const buckets = await trx
      .selectFrom("ledger_entries")
      .select((eb) => [
        "region_code",
        "bank_org_id",
        "ip_type",
        "month",
        eb.fn.sum<number | string>("amount_fen").as("fen"),
        eb.fn.countAll<number | string>().as("n"),
      ])
      .groupBy(["region_code", "bank_org_id", "ip_type", "month"])
      .execute();
    const totals = buckets.map((b) => ({
      region_code: b.region_code,
      bank_org_id: b.bank_org_id,
      ip_type: b.ip_type,
      month: b.month,
      amount_fen: Number(b.fen),
      entry_count: Number(b.n),
    }));
    const rollups = new Map<string, { fen: number; n: number }>();
    const add = (k: string, fen: number, n: number) => {
      const a = rollups.get(k) ?? { fen: 0, n: 0 };
      a.fen += fen;
      a.n += n;
      rollups.set(k, a);
    };
    for (const t of totals) {
      add("total|", t.amount_fen, t.entry_count);
      add(`month|${t.month}`, t.amount_fen, t.entry_count);
      add(`region|${t.region_code}`, t.amount_fen, t.entry_count);
      add(`bank|${t.bank_org_id}`, t.amount_fen, t.entry_count);
      add(`ip_type|${t.ip_type}`, t.amount_fen, t.entry_count);
    }
    const firms = await trx
      .selectFrom("ledger_entries")
      .select((eb) => [
        "firm_org_id",
        eb.fn
          .sum<number | string>(
            eb.case().when("entry_type", "=", "disbursement").then(1).else(-1).end(),
          )
          .as("net"),
        eb.fn.min<string>("value_date").as("first"),
      ])
      .groupBy("firm_org_id")
      .execute();
    const financed = firms.map((f) => ({
      firm_org_id: f.firm_org_id,
      disbursement_count: Number(f.net),
      first_value_date: f.first,
    }));
    const financedCount = financed.filter((f) => f.disbursement_count > 0).length;
    if (financedCount > 0) add("firms|", 0, financedCount);

    const loansBy = await trx
      .selectFrom("loan_accounts")
      .select((eb) => [
        sql<string>`substr(start_date, 1, 7)`.as("month"),
        "region_code",
        "bank_org_id",
        "ip_type",
        eb.fn.sum<number | string>("principal_fen").as("p"),
      ])
      .groupBy([sql`substr(start_date, 1, 7)`, "region_code", "bank_org_id", "ip_type"])
      .execute();
    const repaidBy = await trx
      .selectFrom("repayment_entries")
      .select((eb) => [
        "month",
        "region_code",
        "bank_org_id",
        "ip_type",
        eb.fn.sum<number | string>("principal_fen").as("p"),
        eb.fn.sum<number | string>("interest_fen").as("i"),
        eb.fn.countAll<number | string>().as("n"),
      ])
      .groupBy(["month", "region_code", "bank_org_id", "ip_type"])
      .execute();
    const servicing = new Map<string, { o: number; p: number; i: number; n: number }>();
    const addS = (
      r: { month: string; region_code: string; bank_org_id: number; ip_type: string },
      o: number,
      p: number,
      i: number,
      n: number,
    ) => {
      for (const k of [
        "total|",
        `month|${r.month}`,
        `region|${r.region_code}`,
        `bank|${r.bank_org_id}`,
        `ip_type|${r.ip_type}`,
      ]) {
        const a = servicing.get(k) ?? { o: 0, p: 0, i: 0, n: 0 };
        a.o += o;
        a.p += p;
        a.i += i;
        a.n += n;
        servicing.set(k, a);
      }
    };
    for (const r of loansBy) addS(r, Number(r.p), 0, 0, 0);
    for (const r of repaidBy) addS(r, -Number(r.p), Number(r.p), Number(r.i), Number(r.n));

    const chunks = async <T>(rows: T[], f: (c: T[]) => Promise<unknown>) => {
      for (let i = 0; i < rows.length; i += 2_000) await f(rows.slice(i, i + 2_000));
    };
    await chunks(totals, (c) => trx.insertInto("disbursement_totals").values(c).execute());
    await chunks(financed, (c) => trx.insertInto("financed_firms").values(c).execute());
    const split = (k: string) => [k.slice(0, k.indexOf("|")), k.slice(k.indexOf("|") + 1)] as const;
    await chunks([...rollups], (c) =>
      trx
        .insertInto("disbursement_rollups")
        .values(
          c.map(([k, a]) => ({
            dimension: split(k)[0] as Database["disbursement_rollups"]["dimension"],
            bucket: split(k)[1],
            amount_fen: a.fen,
            entry_count: a.n,
          })),
        )
        .execute(),
    );
    await chunks([...servicing], (c) =>
      trx
        .insertInto("servicing_rollups")
        .values(
          c.map(([k, a]) => ({
            dimension: split(k)[0] as Database["servicing_rollups"]["dimension"],
            bucket: split(k)[1],
            outstanding_fen: a.o,
            principal_repaid_fen: a.p,
            interest_repaid_fen: a.i,
            entry_count: a.n,
          })),
        )
        .execute(),
    );
  });
}
