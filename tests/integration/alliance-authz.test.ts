import { describe, it } from "vitest";
import { useTestDb } from "../support/db";
import { useAppServer } from "../support/http";
import { expectOutcome, matrix, useActors, type Actor, type Outcome } from "../support/authz";

// Route × actor → outcome for the alliance review, the firm profile and the public report.
// Bank officers may open the review (banks are alliance members), seeing other banks only in
// aggregate; another bank's id in the URL reads as "not found".

const REVIEWERS: Record<Actor, Outcome> = {
  anonymous: "login",
  firmA: 403,
  firmB: 403,
  bankX: 200,
  bankY: 200,
  valuer: 403,
  alliance: 200,
  admin: 200,
};

const FIRMS_ONLY: Record<Actor, Outcome> = {
  anonymous: "login",
  firmA: 200,
  firmB: 200,
  bankX: 403,
  bankY: 403,
  valuer: 403,
  alliance: 403,
  admin: 403,
};

const EVERYONE: Record<Actor, Outcome> = {
  anonymous: 200,
  firmA: 200,
  firmB: 200,
  bankX: 200,
  bankY: 200,
  valuer: 200,
  alliance: 200,
  admin: 200,
};

const PERIOD = "from=2025-01-01&to=2025-12-31";

const ROUTES: [string, Record<Actor, Outcome>][] = [
  ["/firm/profile", FIRMS_ONLY],
  [`/alliance/review?${PERIOD}`, REVIEWERS],
  [`/alliance/review/applications?${PERIOD}&stage=disbursed`, REVIEWERS],
  [`/alliance/review/applications?${PERIOD}&stage=requests&page=2`, REVIEWERS],
  [`/alliance/review.csv?${PERIOD}&table=funnel`, REVIEWERS],
  [`/alliance/review.csv?${PERIOD}&table=banks`, REVIEWERS],
  [`/alliance/review/applications.csv?${PERIOD}&stage=approved`, REVIEWERS],
  ["/report", EVERYONE],
  ["/report.csv", EVERYONE],
  ["/report.json", EVERYONE],
];

describe("authorization matrix: alliance review, firm profile, report", () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);

  for (const [path, expected] of ROUTES) {
    it.each(matrix(expected))(`GET ${path} as %s → %s`, async (actor, outcome) => {
      await expectOutcome(app, actors, actor, path, outcome);
    });
  }

  it.each(
    matrix({
      anonymous: "login",
      firmA: 302,
      firmB: 302,
      bankX: 403,
      bankY: 403,
      valuer: 403,
      alliance: 403,
      admin: 403,
    }),
  )("POST /firm/profile (consent) as %s → %s", async (actor, outcome) => {
    await expectOutcome(app, actors, actor, "/firm/profile", outcome, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ show: "on", expected: "0" }).toString(),
    });
  });

  it.each(
    matrix({
      anonymous: "login",
      firmA: 403,
      firmB: 403,
      bankX: 404,
      bankY: 200,
      valuer: 403,
      alliance: 200,
      admin: 200,
    }),
  )("GET /alliance/review?bank=<bank Y> as %s → %s", async (actor, outcome) => {
    const path = `/alliance/review?${PERIOD}&bank=${actors.bankY.orgId}`;
    await expectOutcome(app, actors, actor, path, outcome);
  });

  it.each(
    matrix({
      anonymous: "login",
      firmA: 403,
      firmB: 403,
      bankX: 404,
      bankY: 200,
      valuer: 403,
      alliance: 200,
      admin: 200,
    }),
  )("GET the drill-down CSV of bank Y as %s → %s", async (actor, outcome) => {
    const path = `/alliance/review/applications.csv?${PERIOD}&stage=submitted&bank=${actors.bankY.orgId}`;
    await expectOutcome(app, actors, actor, path, outcome);
  });

  it.each(
    matrix({
      anonymous: "login",
      firmA: 403,
      firmB: 403,
      bankX: 404,
      bankY: 404,
      valuer: 403,
      alliance: 404,
      admin: 404,
    }),
  )("GET the drill-down of 'other banks' as %s → %s (nobody lists others' rows)", async (a, o) => {
    await expectOutcome(
      app,
      actors,
      a,
      `/alliance/review/applications?${PERIOD}&stage=submitted&bank=others`,
      o,
    );
  });

  it.each([
    ["/alliance/review/applications", "no stage"],
    ["/alliance/review/applications?stage=bogus", "an unknown stage"],
    ["/alliance/review.csv?table=bogus", "an unknown table"],
    ["/alliance/review/applications.csv", "no stage"],
    ["/alliance/review?bank=999999", "a bank that does not exist"],
  ])("GET %s (%s) as alliance → 404", async (path) => {
    await expectOutcome(app, actors, "alliance", path, 404);
  });
});
