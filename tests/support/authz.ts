/**
 * The authorization matrix: the same eight actors for every route.
 *
 *   const t = useTestDb();
 *   const app = useAppServer();
 *   const actors = useActors(t, app);          // creates the orgs/users and logs each in
 *   it.each(matrix("/firm", { anonymous: "login", firmA: 200, firmB: 200, bankX: 403, … }))(
 *     "GET /firm as %s → %s", async (actor, expected) => { await expectOutcome(app, actors, actor, "/firm", expected); });
 *
 * Outcomes: an HTTP status (200, 403, 404, …) or "login" (a redirect to /login?redirectTo=…).
 */
import { beforeAll, expect } from "vitest";
import type { Role } from "../../db/schema";
import { createOrganisation, registerFirm } from "../../app/models/organisation.server";
import { hashPassword } from "../../app/utils/password.server";
import { nowInstant } from "../../app/utils/time";
import { buildUscc } from "../../app/domain/uscc";
import type { AppServer } from "./http";
import type { TestDb } from "./db";

export const ACTORS = [
  "anonymous",
  "firmA",
  "firmB",
  "bankX",
  "bankY",
  "valuer",
  "alliance",
  "admin",
] as const;
export type Actor = (typeof ACTORS)[number];
export type Outcome = number | "login";

export const ACTOR_PASSWORD = "actor-password-123";

export interface ActorInfo {
  cookie: string;
  userId: number;
  orgId: number;
  email: string;
}
export type Actors = Record<Exclude<Actor, "anonymous">, ActorInfo>;

async function addUser(t: TestDb, orgId: number, role: Role, email: string, hash: string) {
  const res = await t.db
    .insertInto("users")
    .values({
      org_id: orgId,
      email,
      password_hash: hash,
      role,
      display_name: email.split("@")[0],
      created_at: nowInstant(),
    })
    .executeTakeFirstOrThrow();
  return Number(res.insertId);
}

/** Logs in through the real /login action and returns the session cookie pair. */
export async function loginCookie(
  app: AppServer,
  email: string,
  password = ACTOR_PASSWORD,
): Promise<string> {
  const res = await app.fetch("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: app.baseURL },
    body: new URLSearchParams({ email, password }).toString(),
  });
  const setCookie = res.headers.get("set-cookie") ?? "";
  const m = /(zr_session=[^;]+)/.exec(setCookie);
  if (res.status !== 302 || !m) throw new Error(`login failed for ${email}: ${res.status}`);
  return m[1];
}

export async function createActors(t: TestDb, app: AppServer): Promise<Actors> {
  const hash = await hashPassword(ACTOR_PASSWORD);
  const firm = async (key: string, n: number) => {
    const email = `${key}@actors.test`;
    const { orgId, userId } = await registerFirm(t.db, {
      companyName: `测试企业${n}有限公司`,
      uscc: buildUscc(`15020${n}`, `MA0${String(n).padStart(5, "0")}`),
      regionCode: n === 1 ? "150200" : "150600",
      industrySection: "C",
      flags: { highTech: true, specialised: false, techSme: true },
      contactName: `联系人${n}`,
      email,
      password: ACTOR_PASSWORD,
    });
    return { userId, orgId, email };
  };
  const org = async (
    kind: "bank" | "valuer" | "alliance" | "platform",
    name: string,
    role: Role,
    key: string,
  ) => {
    const orgId = await createOrganisation(
      t.db,
      { kind, name, allianceKind: kind === "alliance" ? "government" : null },
      null,
    );
    const email = `${key}@actors.test`;
    const userId = await addUser(t, orgId, role, email, hash);
    return { orgId, userId, email };
  };
  const base = {
    firmA: await firm("firma", 1),
    firmB: await firm("firmb", 2),
    bankX: await org("bank", "测试银行X", "bank_officer", "bankx"),
    bankY: await org("bank", "测试银行Y", "bank_officer", "banky"),
    valuer: await org("valuer", "测试评估所", "valuer", "valuer"),
    alliance: await org("alliance", "测试联盟成员", "alliance", "alliance"),
    admin: await org("platform", "平台", "admin", "admin"),
  };
  const out = {} as Actors;
  for (const [k, v] of Object.entries(base)) {
    out[k as keyof Actors] = { ...v, cookie: await loginCookie(app, v.email) };
  }
  return out;
}

/** beforeAll hook creating the actors; read the result inside tests. */
export function useActors(t: TestDb, app: AppServer): Actors {
  let actors: Actors | undefined;
  beforeAll(async () => {
    actors = await createActors(t, app);
  });
  return new Proxy({} as Actors, {
    get(_target, prop: string) {
      if (!actors) throw new Error("useActors(): available inside tests only");
      return actors[prop as keyof Actors];
    },
  });
}

export function matrix(expected: Record<Actor, Outcome>): [Actor, Outcome][] {
  return ACTORS.map((a) => [a, expected[a]]);
}

export async function requestAs(
  app: AppServer,
  actors: Actors,
  actor: Actor,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (actor !== "anonymous") headers.set("cookie", actors[actor].cookie);
  if (init.method && init.method !== "GET") headers.set("origin", app.baseURL);
  return app.fetch(path, { ...init, headers });
}

export async function expectOutcome(
  app: AppServer,
  actors: Actors,
  actor: Actor,
  path: string,
  expected: Outcome,
  init: RequestInit = {},
): Promise<Response> {
  const res = await requestAs(app, actors, actor, path, init);
  if (expected === "login") {
    expect(res.status, `${actor} ${path}`).toBe(302);
    expect(res.headers.get("location") ?? "", `${actor} ${path}`).toMatch(/^\/login\?redirectTo=/);
  } else {
    expect(res.status, `${actor} ${path}`).toBe(expected);
  }
  await res.body?.cancel();
  return res;
}
