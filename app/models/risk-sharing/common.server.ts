import type { Message } from "../../domain/message";
import type { Role } from "../../../db/schema";
import { UserFacingError, isUniqueViolation } from "../errors";
import type { Executor } from "../ledger.server";

/** Who acts on the alliance's money (the session user's ids and role). */
export interface RiskActor {
  userId: number;
  orgId: number;
  role: Role;
}

/** A refusal carrying every problem the domain found; the first one is the headline. */
export class RiskRefusal extends UserFacingError {
  constructor(public readonly messages: readonly Message[]) {
    super(messages[0]?.key ?? "common:errors.conflict", { ...(messages[0]?.params ?? {}) });
    this.name = "RiskRefusal";
  }
}

export function refuseIf(messages: readonly Message[]): void {
  if (messages.length > 0) throw new RiskRefusal(messages);
}

export function forbiddenRefusal(): never {
  throw new UserFacingError("risk:errors.forbidden", {}, undefined, 403);
}

export function notFoundRefusal(): never {
  throw new UserFacingError("risk:errors.notFound", {}, undefined, 404);
}

/** A government alliance member (政府部门) or the platform admin: who may set up pools and programmes. */
export async function isGovernmentOrAdmin(db: Executor, actor: RiskActor): Promise<boolean> {
  if (actor.role === "admin") return true;
  if (actor.role !== "alliance") return false;
  const org = await db
    .selectFrom("organisations")
    .select("alliance_kind")
    .where("id", "=", actor.orgId)
    .executeTakeFirst();
  return org?.alliance_kind === "government";
}

/**
 * Runs a money movement keyed by `idempotencyKey`: when `find` already sees the key, its row is
 * returned (a retry, a double click); when a concurrent post with the same key wins the unique
 * index, our transaction rolls back and the winner's row is returned.
 */
export async function once<T>(
  find: () => Promise<T | undefined>,
  run: () => Promise<T>,
): Promise<{ result: T; replayed: boolean }> {
  const existing = await find();
  if (existing !== undefined) return { result: existing, replayed: true };
  try {
    return { result: await run(), replayed: false };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const winner = await find();
    if (winner === undefined) throw e;
    return { result: winner, replayed: true };
  }
}

export const csv = {
  parse(s: string): string[] {
    return s ? s.split(",").filter(Boolean) : [];
  },
  numbers(s: string): number[] {
    return csv.parse(s).map(Number);
  },
  join(xs: readonly (string | number)[]): string {
    return xs.join(",");
  },
};
