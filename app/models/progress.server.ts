import type { Db } from "../utils/db.server";

export const DEFAULT_TARGET_FEN = 1_000_000_000_000; // 100亿元
export const DEFAULT_TARGET_DEADLINE = "2025-12-31";

export interface TargetPhase {
  name: string;
  targetFen: number;
  deadline: string; // YYYY-MM-DD
}

/** The target phases (admin setting `target_phases`, JSON); the first is the 2025 goal. */
export async function getTargetPhases(db: Db): Promise<TargetPhase[]> {
  const row = await db
    .selectFrom("settings")
    .select("value")
    .where("name", "=", "target_phases")
    .executeTakeFirst();
  if (row) {
    try {
      const phases = JSON.parse(row.value) as TargetPhase[];
      if (Array.isArray(phases) && phases.length) return phases;
    } catch {
      // fall through to the default: a broken setting must not take the home page down
    }
  }
  return [{ name: "2025", targetFen: DEFAULT_TARGET_FEN, deadline: DEFAULT_TARGET_DEADLINE }];
}

/** Amount disbursed so far, read from the running totals the ledger keeps. */
export async function getFinancedFen(db: Db): Promise<number> {
  const row = await db
    .selectFrom("disbursement_totals")
    .select((eb) => eb.fn.sum<number | string | null>("amount_fen").as("total"))
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

export interface ProgressSummary {
  targetFen: number;
  deadline: string;
  financedFen: number;
  /** Share of target in basis points (10000 = 100%), floored. */
  progressBp: number;
}

export async function getProgressSummary(db: Db): Promise<ProgressSummary> {
  const [phases, financedFen] = await Promise.all([getTargetPhases(db), getFinancedFen(db)]);
  const phase = phases[0];
  return {
    targetFen: phase.targetFen,
    deadline: phase.deadline,
    financedFen,
    progressBp: phase.targetFen > 0 ? Math.floor((financedFen * 10000) / phase.targetFen) : 0,
  };
}
