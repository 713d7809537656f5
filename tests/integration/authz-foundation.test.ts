import { describe, it } from "vitest";
import { useTestDb } from "../support/db";
import { useAppServer } from "../support/http";
import { expectOutcome, matrix, useActors, type Outcome } from "../support/authz";

// Route × actor → outcome. Later features add their own matrix files with the same actors.
const ROUTES: [string, Parameters<typeof matrix>[0]][] = [
  [
    "/",
    {
      anonymous: 200,
      firmA: 200,
      firmB: 200,
      bankX: 200,
      bankY: 200,
      valuer: 200,
      alliance: 200,
      admin: 200,
    },
  ],
  [
    "/healthz",
    {
      anonymous: 200,
      firmA: 200,
      firmB: 200,
      bankX: 200,
      bankY: 200,
      valuer: 200,
      alliance: 200,
      admin: 200,
    },
  ],
  [
    "/firm",
    {
      anonymous: "login",
      firmA: 200,
      firmB: 200,
      bankX: 403,
      bankY: 403,
      valuer: 403,
      alliance: 403,
      admin: 403,
    },
  ],
  [
    "/bank",
    {
      anonymous: "login",
      firmA: 403,
      firmB: 403,
      bankX: 200,
      bankY: 200,
      valuer: 403,
      alliance: 403,
      admin: 403,
    },
  ],
  [
    "/valuer",
    {
      anonymous: "login",
      firmA: 403,
      firmB: 403,
      bankX: 403,
      bankY: 403,
      valuer: 200,
      alliance: 403,
      admin: 403,
    },
  ],
  [
    "/alliance",
    {
      anonymous: "login",
      firmA: 403,
      firmB: 403,
      bankX: 403,
      bankY: 403,
      valuer: 403,
      alliance: 200,
      admin: 200,
    },
  ],
  [
    "/admin",
    {
      anonymous: "login",
      firmA: 403,
      firmB: 403,
      bankX: 403,
      bankY: 403,
      valuer: 403,
      alliance: 403,
      admin: 200,
    },
  ],
  [
    "/admin/invitations",
    {
      anonymous: "login",
      firmA: 403,
      firmB: 403,
      bankX: 403,
      bankY: 403,
      valuer: 403,
      alliance: 403,
      admin: 200,
    },
  ],
  [
    "/admin/audit",
    {
      anonymous: "login",
      firmA: 403,
      firmB: 403,
      bankX: 403,
      bankY: 403,
      valuer: 403,
      alliance: 403,
      admin: 200,
    },
  ],
  // A logged-in user visiting /login or /register goes to their dashboard.
  [
    "/login",
    {
      anonymous: 200,
      firmA: 302,
      firmB: 302,
      bankX: 302,
      bankY: 302,
      valuer: 302,
      alliance: 302,
      admin: 302,
    },
  ],
  [
    "/register",
    {
      anonymous: 200,
      firmA: 302,
      firmB: 302,
      bankX: 302,
      bankY: 302,
      valuer: 302,
      alliance: 302,
      admin: 302,
    },
  ],
];

describe("authorization matrix: foundation routes", () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  for (const [route, expected] of ROUTES) {
    describe(`GET ${route}`, () => {
      it.each(matrix(expected))("as %s → %s", async (actor, outcome: Outcome) => {
        await expectOutcome(app, actors, actor, route, outcome);
      });
    });
  }

  describe("POST /admin/invitations (admin only)", () => {
    const body = new URLSearchParams({
      mode: "new",
      orgKind: "bank",
      orgName: "越权银行",
      displayName: "某人",
      email: "intruder@x.test",
    });
    it.each(
      matrix({
        anonymous: "login",
        firmA: 403,
        firmB: 403,
        bankX: 403,
        bankY: 403,
        valuer: 403,
        alliance: 403,
        admin: 200,
      }),
    )("as %s → %s", async (actor, outcome) => {
      const before = await t.db.selectFrom("invitations").select("id").execute();
      await expectOutcome(app, actors, actor, "/admin/invitations", outcome, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          ...Object.fromEntries(body),
          email: `${actor}@invite.test`,
        }).toString(),
      });
      const after = await t.db.selectFrom("invitations").select("id").execute();
      // Only the admin's request creates an invitation.
      if (actor === "admin") {
        if (after.length !== before.length + 1) throw new Error("admin invitation not created");
      } else if (after.length !== before.length) {
        throw new Error(`${actor} created an invitation`);
      }
    });
  });
});
