/**
 * Authorization matrix for the appraisal routes: every actor × every route → the expected outcome.
 * firmA owns the orders and the report; `valuer` is the valuer they are assigned to; a second
 * valuer organisation ("otherValuer") must see none of it. Another organisation's id → 404.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  createAppraisalOrder,
  signAppraisalOrder,
  startAppraisalWork,
  type Actor as ModelActor,
} from "../../app/models/appraisal.server";
import { createOrganisation } from "../../app/models/organisation.server";
import { markOfflinePaid } from "../../app/models/payment.server";
import { hashPassword } from "../../app/utils/password.server";
import { nowInstant } from "../../app/utils/time";
import { appraisalRowCounts, makeAsset, orderRow } from "../support/appraisal";
import {
  ACTOR_PASSWORD,
  expectOutcome,
  loginCookie,
  matrix,
  requestAs,
  useActors,
  type Actor,
  type Outcome,
} from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

type Expected = Record<Actor, Outcome>;

const FIRM_ONLY: Expected = {
  anonymous: "login",
  firmA: 200,
  firmB: 200,
  bankX: 403,
  bankY: 403,
  valuer: 403,
  alliance: 403,
  admin: 403,
};
const FIRM_A_ONLY: Expected = { ...FIRM_ONLY, firmB: 404 };
const VALUER_ONLY: Expected = {
  anonymous: "login",
  firmA: 403,
  firmB: 403,
  bankX: 403,
  bankY: 403,
  valuer: 200,
  alliance: 403,
  admin: 403,
};
const ADMIN_ONLY: Expected = { ...VALUER_ONLY, valuer: 403, admin: 200 };
const REPORT: Expected = {
  anonymous: "login",
  firmA: 200,
  firmB: 404,
  bankX: 403,
  bankY: 403,
  valuer: 200,
  alliance: 403,
  admin: 200,
};
const PUBLIC: Expected = {
  anonymous: 200,
  firmA: 200,
  firmB: 200,
  bankX: 200,
  bankY: 200,
  valuer: 200,
  alliance: 200,
  admin: 200,
};

describe(`authorization matrix: appraisal routes (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);

  // Ids created in beforeAll; routes are resolved inside the tests.
  const ids = {
    signedOrder: 0,
    unpaidOrder: 0,
    report: 0,
    token: "",
    otherValuerCookie: "",
  };

  beforeAll(async () => {
    const as = (a: "firmA" | "valuer" | "admin", role: ModelActor["role"]): ModelActor => ({
      id: actors[a].userId,
      org_id: actors[a].orgId,
      role,
    });
    const firmA = as("firmA", "firm");
    const valuer = as("valuer", "valuer");
    const admin = as("admin", "admin");
    const signed = await createAppraisalOrder(t.db, firmA, {
      assetIds: [await makeAsset(t.db, firmA)],
      valuerOrgId: valuer.org_id,
    });
    await markOfflinePaid(t.db, admin, signed.orderId, 1, { reference: "AUTHZ-1" });
    await startAppraisalWork(t.db, valuer, signed.orderId, 2);
    const assetId = (
      await t.db
        .selectFrom("appraisal_order_items")
        .select("asset_id")
        .where("order_id", "=", signed.orderId)
        .executeTakeFirstOrThrow()
    ).asset_id;
    const [report] = (
      await signAppraisalOrder(t.db, valuer, signed.orderId, 3, [
        {
          assetId,
          lowFen: 80_000_000,
          centralFen: 90_000_000,
          highFen: 100_000_000,
          method: "income",
          assumptions: "许可费率 3%，折现率 12%",
          reportText: "评估结论见上，本报告仅用于质押融资参考。",
        },
      ])
    ).appraisalIds;
    const unpaid = await createAppraisalOrder(t.db, firmA, {
      assetIds: [await makeAsset(t.db, firmA)],
      valuerOrgId: valuer.org_id,
    });
    const token = await t.db
      .selectFrom("appraisals")
      .select("verification_token")
      .where("id", "=", report)
      .executeTakeFirstOrThrow();

    // A second valuer organisation, logged in like the other actors.
    const otherOrg = await createOrganisation(t.db, { kind: "valuer", name: "另一评估所" }, null);
    await t.db
      .insertInto("users")
      .values({
        org_id: otherOrg,
        email: "othervaluer@actors.test",
        password_hash: await hashPassword(ACTOR_PASSWORD),
        role: "valuer",
        display_name: "另一评估师",
        created_at: nowInstant(),
      })
      .execute();
    Object.assign(ids, {
      signedOrder: signed.orderId,
      unpaidOrder: unpaid.orderId,
      report,
      token: token.verification_token,
      otherValuerCookie: await loginCookie(app, "othervaluer@actors.test"),
    });
  });

  const ROUTES: [string, () => string, Expected][] = [
    ["/firm/appraisals", () => "/firm/appraisals", FIRM_ONLY],
    ["/firm/appraisals/new", () => "/firm/appraisals/new", FIRM_ONLY],
    ["/firm/appraisals/$id (firmA's)", () => `/firm/appraisals/${ids.signedOrder}`, FIRM_A_ONLY],
    [
      "/firm/appraisals/$id (firmA's, unpaid)",
      () => `/firm/appraisals/${ids.unpaidOrder}`,
      FIRM_A_ONLY,
    ],
    [
      "/firm/appraisals/$id (no such order)",
      () => "/firm/appraisals/987654",
      { ...FIRM_ONLY, firmA: 404, firmB: 404 },
    ],
    ["/valuer/orders", () => "/valuer/orders", VALUER_ONLY],
    ["/valuer/orders?tab=signed", () => "/valuer/orders?tab=signed", VALUER_ONLY],
    ["/valuer/orders/$id (assigned)", () => `/valuer/orders/${ids.signedOrder}`, VALUER_ONLY],
    [
      "/valuer/orders/$id (assigned but unpaid)",
      () => `/valuer/orders/${ids.unpaidOrder}`,
      { ...VALUER_ONLY, valuer: 404 },
    ],
    ["/admin/payments", () => "/admin/payments", ADMIN_ONLY],
    ["/admin/payments/$id", () => `/admin/payments/${ids.unpaidOrder}`, ADMIN_ONLY],
    [
      "/admin/payments/$id (already paid)",
      () => `/admin/payments/${ids.signedOrder}`,
      { ...ADMIN_ONLY, admin: 404 },
    ],
    ["/admin/settings/appraisal-fee", () => "/admin/settings/appraisal-fee", ADMIN_ONLY],
    ["/appraisals/$id/report", () => `/appraisals/${ids.report}/report`, REPORT],
    [
      "/appraisals/$id/report (no such report)",
      () => "/appraisals/987654/report",
      { ...REPORT, firmA: 404, valuer: 404, admin: 404 },
    ],
    ["/verify/$token", () => `/verify/${ids.token}`, PUBLIC],
    [
      "/verify/$token (unknown)",
      () => "/verify/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      Object.fromEntries(Object.keys(PUBLIC).map((k) => [k, 404])) as Expected,
    ],
  ];

  for (const [label, path, expected] of ROUTES) {
    describe(`GET ${label}`, () => {
      it.each(matrix(expected))("as %s → %s", async (actor, outcome) => {
        await expectOutcome(app, actors, actor, path(), outcome);
      });
    });
  }

  describe("a second valuer organisation sees nothing of another valuer's work", () => {
    it.each([
      ["/valuer/orders", 200],
      ["signed order", 404],
      ["report", 404],
    ] as const)("%s → %s", async (what, status) => {
      const path =
        what === "signed order"
          ? `/valuer/orders/${ids.signedOrder}`
          : what === "report"
            ? `/appraisals/${ids.report}/report`
            : "/valuer/orders?tab=signed";
      const res = await app.fetch(path, { headers: { cookie: ids.otherValuerCookie } });
      expect(res.status).toBe(status);
      const html = await res.text();
      if (what === "/valuer/orders") expect(html).toContain('data-testid="queue-empty"');
    });
  });

  describe("state-changing requests from the wrong actor change nothing", () => {
    const form = (body: Record<string, string>): RequestInit => ({
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(body).toString(),
    });

    // The permitted actor's own request is tested in appraisal-routes.test.ts.
    const except = (e: Expected, allowed: Actor) => matrix(e).filter(([a]) => a !== allowed);

    it.each(except(FIRM_A_ONLY, "firmA"))(
      "POST cancel of firmA's unpaid order as %s → %s",
      async (actor, outcome) => {
        const before = await orderRow(t.db, ids.unpaidOrder);
        await expectOutcome(
          app,
          actors,
          actor,
          `/firm/appraisals/${ids.unpaidOrder}`,
          outcome,
          form({ intent: "cancel", version: String(before.version) }),
        );
        expect(await orderRow(t.db, ids.unpaidOrder)).toEqual(before);
      },
    );

    it.each(except(ADMIN_ONLY, "admin"))("POST mark-paid as %s → %s", async (actor, outcome) => {
      const before = await orderRow(t.db, ids.unpaidOrder);
      await expectOutcome(
        app,
        actors,
        actor,
        `/admin/payments/${ids.unpaidOrder}`,
        outcome,
        form({ version: String(before.version), reference: "FORGED-REF", confirm: "on" }),
      );
      expect(await orderRow(t.db, ids.unpaidOrder)).toEqual(before);
    });

    it.each(except(ADMIN_ONLY, "admin"))("POST fee settings as %s → %s", async (actor, outcome) => {
      const before = await appraisalRowCounts(t.db);
      await expectOutcome(
        app,
        actors,
        actor,
        "/admin/settings/appraisal-fee",
        outcome,
        form({ expectedMinFeeFen: "300000", expectedRateBp: "60", minFee: "100", rate: "0" }),
      );
      expect(await appraisalRowCounts(t.db)).toEqual(before);
    });

    it("POST start/sign by another valuer organisation → 404, nothing written", async () => {
      const before = {
        order: await orderRow(t.db, ids.signedOrder),
        counts: await appraisalRowCounts(t.db),
      };
      const res = await app.fetch(`/valuer/orders/${ids.signedOrder}`, {
        method: "POST",
        headers: {
          cookie: ids.otherValuerCookie,
          origin: app.baseURL,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ intent: "start", version: "4" }).toString(),
      });
      expect(res.status).toBe(404);
      expect(await orderRow(t.db, ids.signedOrder)).toEqual(before.order);
      expect(await appraisalRowCounts(t.db)).toEqual(before.counts);
    });

    it("POST to a firm's order as a bank → 403", async () => {
      const res = await requestAs(app, actors, "bankX", `/firm/appraisals/${ids.unpaidOrder}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "intent=pay",
      });
      expect(res.status).toBe(403);
      await res.body?.cancel();
    });
  });

  it("the webhook refuses to work without a configured endpoint secret (offline mode)", async () => {
    const before = await appraisalRowCounts(t.db);
    const res = await app.fetch("/webhooks/stripe", {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": "t=1,v1=x" },
      body: "{}",
    });
    expect(res.status).toBe(503);
    await res.body?.cancel();
    expect(await appraisalRowCounts(t.db)).toEqual(before);
  });
});
