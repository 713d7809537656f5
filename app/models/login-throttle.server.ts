import type { Transaction } from "kysely";
import type { Database } from "../../db/schema";
import type { Redis } from "ioredis";
import {
  ACCOUNT_ALERT_AT,
  accountKey,
  codePairKey,
  delayAfterFailures,
  FAILURE_WINDOW_MS,
  FREE_FAILURES,
  ipKey,
  MAX_DELAY_MS,
  pairKey,
  type ThrottleScope,
} from "../domain/login-throttle";
import type { Db } from "../utils/db.server";
import { getRedis } from "../utils/redis.server";
import { fromDbInstant, toDbInstant } from "../utils/time";
import { writeAudit } from "./audit.server";
import { isUniqueViolation } from "./errors";
import { notifyOrganisation } from "./notification.server";

const EPOCH = toDbInstant(new Date(0));

/** Creates the counter row if it is missing; a concurrent creator winning is fine. */
export async function ensureRow(db: Db, key: string): Promise<void> {
  try {
    await db
      .insertInto("login_throttle")
      .values({ throttle_key: key, failures: 0, last_failure_at: EPOCH, blocked_until: EPOCH })
      .execute();
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
  }
}

class Blocked extends Error {
  constructor(readonly retryAfterMs: number) {
    super("throttled");
  }
}

/**
 * Counts one failure against a key, unless it is still blocked (then throws Blocked). The increment
 * is a single `UPDATE … SET failures = failures + 1 WHERE blocked_until <= now`, and the new
 * blocked_until is written while the row lock is held, so concurrent attempts are admitted exactly
 * up to the limit.
 */
async function countAgainst(
  trx: Transaction<Database>,
  key: string,
  scope: ThrottleScope,
  now: Date,
): Promise<void> {
  const nowS = toDbInstant(now);
  const windowStart = toDbInstant(new Date(now.getTime() - FAILURE_WINDOW_MS));
  const res = await trx
    .updateTable("login_throttle")
    .set((eb) => ({
      failures: eb
        .case()
        .when("last_failure_at", "<", windowStart)
        .then(1)
        .else(eb("failures", "+", 1))
        .end(),
      last_failure_at: nowS,
    }))
    .where("throttle_key", "=", key)
    .where("blocked_until", "<=", nowS)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) {
    const row = await trx
      .selectFrom("login_throttle")
      .select("blocked_until")
      .where("throttle_key", "=", key)
      .executeTakeFirst();
    const until = row ? fromDbInstant(row.blocked_until).getTime() : now.getTime();
    throw new Blocked(Math.max(1000, until - now.getTime()));
  }
  const { failures } = await trx
    .selectFrom("login_throttle")
    .select("failures")
    .where("throttle_key", "=", key)
    .executeTakeFirstOrThrow();
  const delay = delayAfterFailures(scope, Number(failures));
  // A free failure blocks nothing. Writing blocked_until = now would refuse, for a moment, a
  // concurrent attempt on the same key whose clock read a few ms earlier (two log-ins from one
  // address at once), with a "try again in 1 s" no rule asked for.
  if (delay === 0) return;
  await trx
    .updateTable("login_throttle")
    .set({ blocked_until: toDbInstant(new Date(now.getTime() + delay)) })
    .where("throttle_key", "=", key)
    .execute();
}

export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * Admits one password check for (email, ip), counting it as a failure in advance so that
 * concurrent guesses cannot all slip past the check; `recordSuccess` takes it back.
 */
export async function admitLoginAttempt(
  db: Db,
  email: string,
  ip: string,
  now: Date,
  redis: Redis | null = getRedis(),
): Promise<Admission> {
  return admit(db, pairKey(email, ip), ipKey(ip), now, redis);
}

/**
 * Admits one second-factor code for (email, ip), exactly like a password: counted in advance on
 * the code pair and the address, taken back by `recordCodeSuccess`.
 */
export async function admitCodeAttempt(
  db: Db,
  email: string,
  ip: string,
  now: Date,
): Promise<Admission> {
  return admit(db, codePairKey(email, ip), ipKey(ip), now, getRedis());
}

/**
 * With REDIS_URL the pair and address counters live in Redis (issue 15, decision 017): every
 * process and machine counts on the same keys, and a log-in costs no database write. If Redis
 * fails the database counts instead, so an outage never admits unthrottled guesses; what Redis
 * counted before it failed is not carried over (at most one window's worth of allowance).
 */
async function admit(
  db: Db,
  pair: string,
  addr: string,
  now: Date,
  redis: Redis | null,
): Promise<Admission> {
  if (redis) {
    try {
      return await admitInRedis(redis, pair, addr, now);
    } catch (e) {
      warnFallback(e);
    }
  }
  return admitInDb(db, pair, addr, now);
}

async function admitInDb(db: Db, pair: string, addr: string, now: Date): Promise<Admission> {
  await ensureRow(db, pair);
  await ensureRow(db, addr);
  try {
    await db.transaction().execute(async (trx) => {
      await countAgainst(trx, pair, "pair", now);
      await countAgainst(trx, addr, "ip", now);
    });
    return { ok: true };
  } catch (e) {
    if (e instanceof Blocked) return { ok: false, retryAfterMs: e.retryAfterMs };
    throw e;
  }
}

/** The right password: the pair starts again and the address gets back the attempt it lent. */
export async function recordLoginSuccess(db: Db, email: string, ip: string): Promise<void> {
  await forgive(db, pairKey(email, ip), ipKey(ip));
}

/** The right code: the code pair starts again and the address gets back its attempt. */
export async function recordCodeSuccess(db: Db, email: string, ip: string): Promise<void> {
  await forgive(db, codePairKey(email, ip), ipKey(ip));
}

async function forgive(db: Db, pair: string, addr: string): Promise<void> {
  const redis = getRedis();
  if (redis) {
    try {
      await redis.eval(FORGIVE_SCRIPT, 2, REDIS_PREFIX + pair, REDIS_PREFIX + addr);
      return;
    } catch (e) {
      warnFallback(e);
    }
  }
  await db
    .updateTable("login_throttle")
    .set({ failures: 0, blocked_until: EPOCH })
    .where("throttle_key", "=", pair)
    .execute();
  await db
    .updateTable("login_throttle")
    .set((eb) => ({ failures: eb("failures", "-", 1) }))
    .where("throttle_key", "=", addr)
    .where("failures", ">", 0)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// The counters in Redis
// ---------------------------------------------------------------------------------------------

const REDIS_PREFIX = "zr:throttle:";
/** A key outlives its window and its longest delay; after that it would count from 1 anyway. */
const REDIS_TTL_MS = FAILURE_WINDOW_MS + MAX_DELAY_MS;

/**
 * The delay after the n-th failure (index n − 1) up to where it stops growing, from the domain's
 * own delayAfterFailures, so the script holds no copy of the rule.
 */
function delayTable(scope: ThrottleScope): string {
  const n = FREE_FAILURES[scope] + 21;
  return Array.from({ length: n }, (_, i) => delayAfterFailures(scope, i + 1)).join(",");
}
const DELAYS = { pair: delayTable("pair"), ip: delayTable("ip") };

/**
 * The same rule as countAgainst on both keys, in one atomic script (Redis runs a script alone, so
 * concurrent attempts from any process are admitted exactly up to the limit): refused when either
 * key is still blocked, with nothing counted; else each key counts one failure (from 1 again after
 * a quiet window) and is blocked for the delay its count calls for. Times are the caller's `now`
 * in ms, not Redis's clock, as in the database. Hash fields: f failures, last, until.
 */
const ADMIT_SCRIPT = `
local now = tonumber(ARGV[1])
local window_start = now - tonumber(ARGV[2])
for i = 1, 2 do
  local blocked_until = tonumber(redis.call('HGET', KEYS[i], 'until') or '0')
  if blocked_until > now then return {0, blocked_until - now} end
end
for i = 1, 2 do
  local last = tonumber(redis.call('HGET', KEYS[i], 'last') or '0')
  local f = tonumber(redis.call('HGET', KEYS[i], 'f') or '0')
  if last < window_start then f = 1 else f = f + 1 end
  local delays = {}
  for d in string.gmatch(ARGV[3 + i], '[^,]+') do delays[#delays + 1] = tonumber(d) end
  local delay = delays[math.min(f, #delays)]
  redis.call('HSET', KEYS[i], 'f', f, 'last', now)
  -- A free failure blocks nothing (see countAgainst).
  if delay > 0 then redis.call('HSET', KEYS[i], 'until', now + delay) end
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[3]))
end
return {1, 0}
`;

/** The right password or code: the pair starts again, the address gets back the attempt it lent. */
const FORGIVE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'f', 0, 'until', 0) end
local f = tonumber(redis.call('HGET', KEYS[2], 'f') or '0')
if f > 0 then redis.call('HSET', KEYS[2], 'f', f - 1) end
return 1
`;

async function admitInRedis(
  redis: Redis,
  pair: string,
  addr: string,
  now: Date,
): Promise<Admission> {
  const [ok, waitMs] = (await redis.eval(
    ADMIT_SCRIPT,
    2,
    REDIS_PREFIX + pair,
    REDIS_PREFIX + addr,
    now.getTime(),
    FAILURE_WINDOW_MS,
    REDIS_TTL_MS,
    DELAYS.pair,
    DELAYS.ip,
  )) as [number, number];
  return ok === 1 ? { ok: true } : { ok: false, retryAfterMs: Math.max(1000, Number(waitMs)) };
}

let fallbackWarned = 0;
function warnFallback(e: unknown) {
  // Once a minute at most: an outage would otherwise log every log-in.
  if (Date.now() - fallbackWarned < 60_000) return;
  fallbackWarned = Date.now();
  console.error(`log-in throttle: Redis failed, counting in the database: ${String(e)}`);
}

/**
 * A wrong password for an existing account, from anywhere: counted per account, never refusing the
 * owner. Reaching ACCOUNT_ALERT_AT within the window alerts the platform admins once.
 */
export async function recordAccountFailure(
  db: Db,
  user: { id: number; email: string; org_id: number },
  now: Date,
): Promise<{ alerted: boolean }> {
  const key = accountKey(user.email);
  await ensureRow(db, key);
  return db.transaction().execute(async (trx) => {
    const nowS = toDbInstant(now);
    const windowStart = toDbInstant(new Date(now.getTime() - FAILURE_WINDOW_MS));
    await trx
      .updateTable("login_throttle")
      .set((eb) => ({
        failures: eb
          .case()
          .when("last_failure_at", "<", windowStart)
          .then(1)
          .else(eb("failures", "+", 1))
          .end(),
        alerted_at: eb
          .case()
          .when("last_failure_at", "<", windowStart)
          .then(null)
          .else(eb.ref("alerted_at"))
          .end(),
        last_failure_at: nowS,
      }))
      .where("throttle_key", "=", key)
      .execute();
    // Claim the alert with a guarded update so that concurrent failures send it once.
    const claim = await trx
      .updateTable("login_throttle")
      .set({ alerted_at: nowS })
      .where("throttle_key", "=", key)
      .where("failures", ">=", ACCOUNT_ALERT_AT)
      .where("alerted_at", "is", null)
      .executeTakeFirst();
    if (Number(claim.numUpdatedRows) !== 1) return { alerted: false };
    await writeAudit(trx, {
      actorUserId: null,
      orgId: user.org_id,
      action: "auth.account_under_attack",
      entityType: "user",
      entityId: user.id,
      detail: { failures: ACCOUNT_ALERT_AT, windowMinutes: FAILURE_WINDOW_MS / 60_000 },
    });
    const platforms = await trx
      .selectFrom("organisations")
      .select("id")
      .where("kind", "=", "platform")
      .execute();
    for (const p of platforms) {
      await notifyOrganisation(trx, p.id, {
        kind: "accountUnderAttack",
        params: { email: user.email, failures: ACCOUNT_ALERT_AT },
        link: "/admin/audit",
      });
    }
    return { alerted: true };
  });
}
