import type { IpType } from "../../db/schema";
import { IP_TYPES } from "../domain/ip";
import {
  computeProgress,
  cumulativeByMonth,
  DEFAULT_PHASES,
  DEFAULT_TARGET_DEADLINE,
  DEFAULT_TARGET_FEN,
  validateTargetPhases,
  type PhaseProblem,
  type ProgressSummary,
  type Slice,
  type TargetPhase,
} from "../domain/progress";
import { REGIONS } from "../domain/regions";
import type { Db } from "../utils/db.server";
import { nowInstant, todayInChina } from "../utils/time";
import { writeAudit } from "./audit.server";
import { ConflictError, UserFacingError } from "./errors";
import { onProgressChanged } from "./progress-events.server";

export { DEFAULT_TARGET_DEADLINE, DEFAULT_TARGET_FEN, type ProgressSummary, type TargetPhase };

export const TARGET_PHASES_SETTING = "target_phases";

/**
 * The target phases (admin setting `target_phases`, JSON), in deadline order; the default when
 * unset or unreadable (a broken setting must not take the home page down).
 */
export async function getTargetPhases(db: Db): Promise<TargetPhase[]> {
  return (await readTargetSetting(db)).phases;
}

async function readTargetSetting(
  db: Db,
): Promise<{ phases: TargetPhase[]; updatedAt: string | null }> {
  const row = await db
    .selectFrom("settings")
    .select(["value", "updated_at"])
    .where("name", "=", TARGET_PHASES_SETTING)
    .executeTakeFirst();
  if (row) {
    try {
      const phases = JSON.parse(row.value) as TargetPhase[];
      if (Array.isArray(phases) && phases.length && validateTargetPhases(phases).length === 0) {
        return { phases, updatedAt: row.updated_at };
      }
    } catch {
      // fall through to the default
    }
  }
  return { phases: [...DEFAULT_PHASES], updatedAt: row?.updated_at ?? null };
}

export async function getTargetSetting(db: Db) {
  return readTargetSetting(db);
}

export class PhaseProblemsError extends UserFacingError {
  constructor(public readonly problems: PhaseProblem[]) {
    super(`applications:target.errors.${problems[0].code}`, {}, "phases", 400);
    this.name = "PhaseProblemsError";
  }
}

/**
 * Saves the phases if nobody saved them since `expectedUpdatedAt` was read (null: never saved).
 * Validated (increasing deadlines and targets) and audited with the previous value.
 */
export async function setTargetPhases(
  db: Db,
  actor: { userId: number; orgId: number },
  phases: TargetPhase[],
  expectedUpdatedAt: string | null,
): Promise<void> {
  const problems = validateTargetPhases(phases);
  if (problems.length) throw new PhaseProblemsError(problems);
  const clean = phases.map((p) => ({
    name: p.name.trim(),
    targetFen: p.targetFen,
    deadline: p.deadline,
  }));
  await db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom("settings")
      .select(["value", "updated_at"])
      .where("name", "=", TARGET_PHASES_SETTING)
      .executeTakeFirst();
    if ((current?.updated_at ?? null) !== expectedUpdatedAt) throw new ConflictError();
    // Distinct from the previous instant, so the optimistic check always sees the change.
    let now = nowInstant();
    if (current && now <= current.updated_at) {
      now = new Date(new Date(current.updated_at.replace(" ", "T") + "Z").getTime() + 1)
        .toISOString()
        .replace("T", " ")
        .replace("Z", "");
    }
    const value = JSON.stringify(clean);
    if (current) {
      const res = await trx
        .updateTable("settings")
        .set({ value, updated_at: now })
        .where("name", "=", TARGET_PHASES_SETTING)
        .where("updated_at", "=", current.updated_at)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw new ConflictError();
    } else {
      await trx
        .insertInto("settings")
        .values({ name: TARGET_PHASES_SETTING, value, updated_at: now })
        .execute();
    }
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "settings.target_phases",
      entityType: "setting",
      entityId: TARGET_PHASES_SETTING,
      detail: { from: current ? JSON.parse(current.value) : DEFAULT_PHASES, to: clean },
    });
  });
}

/** Amount disbursed so far (net of reversals), from the rollup kept with the ledger. */
export async function getFinancedFen(db: Db): Promise<number> {
  const row = await db
    .selectFrom("disbursement_rollups")
    .select("amount_fen")
    .where("dimension", "=", "total")
    .where("bucket", "=", "")
    .executeTakeFirst();
  return Number(row?.amount_fen ?? 0);
}

/**
 * Everything the progress panel and its charts show, read from ~70 rollup rows whatever the size
 * of the ledger (plus the target setting and the banks' names): the one function every dashboard,
 * the home page, the SSE stream and `npm run bench:dashboard` call.
 */
export async function getProgressSummary(
  db: Db,
  today: string = todayInChina(),
): Promise<ProgressSummary> {
  const [rollups, phases] = await Promise.all([
    db.selectFrom("disbursement_rollups").selectAll().execute(),
    getTargetPhases(db),
  ]);
  let financedFen = 0;
  let version = 0;
  let firmsFinanced = 0;
  const monthly: { month: string; amountFen: number }[] = [];
  const region = new Map<string, Slice<string>>();
  const bank = new Map<number, Slice<number>>();
  const ipType = new Map<IpType, Slice<IpType>>();
  for (const r of rollups) {
    const amountFen = Number(r.amount_fen);
    const entries = Number(r.entry_count);
    switch (r.dimension) {
      case "total":
        financedFen = amountFen;
        version = entries;
        break;
      case "firms":
        firmsFinanced = entries;
        break;
      case "month":
        monthly.push({ month: r.bucket, amountFen });
        break;
      case "region":
        region.set(r.bucket, { key: r.bucket, amountFen, entries });
        break;
      case "bank":
        bank.set(Number(r.bucket), { key: Number(r.bucket), amountFen, entries });
        break;
      case "ip_type":
        ipType.set(r.bucket as IpType, { key: r.bucket as IpType, amountFen, entries });
        break;
    }
  }
  const bankIds = [...bank.keys()];
  const bankNames = bankIds.length
    ? await db
        .selectFrom("organisations")
        .select(["id", "name"])
        .where("id", "in", bankIds)
        .execute()
    : [];
  const nameOf = new Map(bankNames.map((b) => [b.id, b.name]));
  const progress = computeProgress({ phases, financedFen, firmsFinanced, monthly, today });
  return {
    ...progress,
    phases,
    version,
    months: cumulativeByMonth(monthly, progress.currentMonth),
    byRegion: REGIONS.map((r) => region.get(r.code) ?? { key: r.code, amountFen: 0, entries: 0 }),
    byBank: [...bank.values()]
      .filter((b) => b.entries > 0)
      .map((b) => ({ ...b, name: nameOf.get(b.key) ?? String(b.key) }))
      .sort((a, b) => b.amountFen - a.amountFen || a.key - b.key),
    byIpType: IP_TYPES.map((t) => ipType.get(t) ?? { key: t, amountFen: 0, entries: 0 }),
    asOf: nowInstant(),
  };
}

// ---------------------------------------------------------------------------------------------
// The live stream's hub: one reader for every open stream in this process
// ---------------------------------------------------------------------------------------------

type Listener = (s: ProgressSummary) => void;

interface Hub {
  listeners: Set<Listener>;
  lastKey: string | null;
  last: ProgressSummary | null;
  poll: ReturnType<typeof setInterval> | null;
  unsubscribe: (() => void) | null;
  pending: ReturnType<typeof setTimeout> | null;
  db: Db;
}

const holder = globalThis as typeof globalThis & { __zrProgressHub?: Hub };

/** How often an open stream re-reads the totals, to see other processes' commits. */
export function pollIntervalMs(): number {
  const v = Number(process.env.PROGRESS_POLL_MS);
  return Number.isFinite(v) && v >= 100 ? v : 15_000;
}

function keyOf(s: ProgressSummary): string {
  const { asOf: _asOf, ...rest } = s;
  return JSON.stringify(rest);
}

async function refresh(hub: Hub): Promise<void> {
  try {
    const summary = await getProgressSummary(hub.db);
    const key = keyOf(summary);
    hub.last = summary;
    if (key === hub.lastKey) return;
    hub.lastKey = key;
    for (const l of hub.listeners) l(summary);
  } catch {
    // A failed read (database restarting) is retried at the next poll; the page keeps its figure.
  }
}

/**
 * Calls `listener` with the summary whenever it changes: at once after an in-process commit
 * (coalesced over 200 ms, so a burst of disbursements makes one read), and at every poll for
 * commits made elsewhere. The first call comes with the current summary. Returns the unsubscribe.
 */
export function subscribeToProgress(db: Db, listener: Listener): () => void {
  let hub = holder.__zrProgressHub;
  if (!hub || hub.db !== db) {
    if (hub) stopHub(hub);
    hub = {
      listeners: new Set(),
      lastKey: null,
      last: null,
      poll: null,
      unsubscribe: null,
      pending: null,
      db,
    };
    holder.__zrProgressHub = hub;
  }
  const h = hub;
  h.listeners.add(listener);
  if (!h.poll) {
    h.poll = setInterval(() => void refresh(h), pollIntervalMs());
    h.poll.unref?.();
    h.unsubscribe = onProgressChanged(() => {
      if (h.pending) return;
      h.pending = setTimeout(() => {
        h.pending = null;
        void refresh(h);
      }, 200);
    });
  }
  // The new listener gets the current figure straight away.
  void getProgressSummary(db)
    .then((s) => {
      if (h.listeners.has(listener)) listener(s);
    })
    .catch(() => {});
  return () => {
    h.listeners.delete(listener);
    if (h.listeners.size === 0) stopHub(h);
  };
}

function stopHub(h: Hub) {
  if (h.poll) clearInterval(h.poll);
  if (h.pending) clearTimeout(h.pending);
  h.unsubscribe?.();
  h.poll = null;
  h.pending = null;
  h.unsubscribe = null;
  h.lastKey = null;
  if (holder.__zrProgressHub === h && h.listeners.size === 0) holder.__zrProgressHub = undefined;
}
