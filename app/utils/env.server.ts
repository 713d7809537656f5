import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .optional()
    .refine(
      (v) => !v || /^(mysql|file):/.test(v),
      "DATABASE_URL must start with mysql:// or file:",
    ),
  SESSION_SECRET: z.string().min(32).optional(),
  /** Public origin used for links in e-mails and reports; defaults to http://localhost:PORT. */
  APP_ORIGIN: z.string().url().optional(),
  STRIPE_SECRET_KEY: z.string().optional(),
  STRIPE_WEBHOOK_SECRET: z.string().optional(),
  /** Lets tests point the Stripe SDK at a local fake. */
  STRIPE_API_BASE: z.string().url().optional(),
  DATA_DIR: z.string().default("./data"),
  /**
   * The two-command demo (`npm start` sets it): a generated session secret is acceptable and an
   * empty database is seeded with demo log-ins. DEMO=0 is a deployment. See
   * docs/decisions/012-production-mode.md.
   */
  DEMO: z
    .enum(["0", "1", ""])
    .optional()
    .transform((v) => v === "1"),
  /**
   * Outgoing mail, e.g. smtp://user:pass@smtp.example.com:587 or smtps://…:465. Unset: mails go
   * to the development outbox (/admin/outbox and the console) instead.
   */
  SMTP_URL: z
    .string()
    .optional()
    .refine((v) => !v || /^smtps?:\/\//.test(v), "SMTP_URL must start with smtp:// or smtps://"),
  MAIL_FROM: z.string().default("知融 Zhirong <no-reply@zhirong.invalid>"),
  /**
   * Redis for events every process must hear (the live total, public-page invalidation), e.g.
   * redis://127.0.0.1:6379. Unset: one process's own events (docs/decisions/017-…).
   */
  REDIS_URL: z
    .string()
    .optional()
    .refine(
      (v) => !v || /^rediss?:\/\//.test(v),
      "REDIS_URL must start with redis:// or rediss://",
    ),
  /** Worker processes `npm start` runs (node:cluster), sharing the port; default 1. */
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /** Which proxies may set X-Forwarded-For (read by scripts/server.ts): unset trusts none. */
  TRUST_PROXY: z.string().optional(),
});

export type Env = z.infer<typeof EnvSchema> & { SESSION_SECRET: string };

/** Secrets that appear in docs and examples: a deployment must not run with them. */
const KNOWN_WEAK_SECRETS = [/^(.)\1+$/, /change-?me/i, /^dev-session-secret/i];

let cached: Env | undefined;

/** Parses process.env once; refuses to start with a list of what is wrong. */
export function getEnv(): Env {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  let secret = env.SESSION_SECRET;
  if (
    secret &&
    env.NODE_ENV === "production" &&
    !env.DEMO &&
    KNOWN_WEAK_SECRETS.some((re) => re.test(secret ?? ""))
  ) {
    throw new Error("Invalid environment:\n  SESSION_SECRET: a placeholder, not a secret");
  }
  if (!secret) {
    if (env.NODE_ENV === "production" && !env.DEMO) {
      throw new Error(
        "Invalid environment:\n  SESSION_SECRET: required in production (32+ chars); DEMO=1 runs the demo with a generated one",
      );
    }
    secret = devSecret(env.DATA_DIR);
  }
  cached = { ...env, SESSION_SECRET: secret };
  return cached;
}

/**
 * A tuning limit from the environment (a whole number ≥ 0), else `fallback`. Read on every call,
 * not parsed once with getEnv: a bad value falls back rather than refusing to start, and a test
 * may change it between requests.
 */
export function tuningLimit(name: string, fallback: number): number {
  const raw = process.env[name];
  const v = Number(raw);
  return raw && Number.isSafeInteger(v) && v >= 0 ? v : fallback;
}

/** Test hook: forget the parsed env so a test can change process.env. */
export function resetEnvForTests() {
  cached = undefined;
}

function devSecret(dataDir: string): string {
  const file = path.join(dataDir, "dev-session-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("hex");
  writeFileSync(file, secret, { mode: 0o600 });
  console.warn(`[env] SESSION_SECRET not set: generated a development secret in ${file}`);
  return secret;
}

/**
 * A real deployment: production builds and not the demo (docs/decisions/012-production-mode.md).
 * Two-factor authentication is required of admins and bank officers here until an admin decides
 * otherwise (docs/decisions/014-two-factor.md).
 */
export function isDeployment(env: Pick<Env, "NODE_ENV" | "DEMO"> = getEnv()): boolean {
  return env.NODE_ENV === "production" && !env.DEMO;
}
