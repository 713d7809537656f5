/**
 * The bank's incoming list shows, per application, where the pledged assets' appraisals stand
 * (none / expired / ordered / paid / signed) and whether they cover the amount today by
 * collateralCoverage — the approval check's own function (issue 10).
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { pledgeOverviewOfApplications } from "../../app/models/application.server";
import { addDays } from "../../app/domain/ip";
import { nowInstant, todayInChina } from "../../app/utils/time";
import { addAsset, createDealWorld, newApplication } from "../support/applications";
import { testDbKind, useTestDb } from "../support/db";

describe(`pledge overview of incoming applications (${testDbKind()})`, () => {
  const t = useTestDb();

  it("names each asset's appraisal status and the coverage today", async () => {
    const w = await createDealWorld(t.db);
    const today = todayInChina();
    // 100万元 formal value × 25% (invention) = 25万元 of capacity.
    const signed = await addAsset(t.db, w.firmA.orgId, { valueFen: 100_000_000 });
    const expired = await addAsset(t.db, w.firmA.orgId, {
      valueFen: 100_000_000,
      validUntil: addDays(today, -1),
    });
    const ordered = await addAsset(t.db, w.firmA.orgId, { valueFen: null, validUntil: null });
    const paid = await addAsset(t.db, w.firmA.orgId, { valueFen: null, validUntil: null });
    const none = await addAsset(t.db, w.firmA.orgId, { valueFen: null, validUntil: null });
    const valuer = Number(
      (
        await t.db
          .insertInto("organisations")
          .values({ kind: "valuer", name: "评估所", created_at: nowInstant() })
          .executeTakeFirstOrThrow()
      ).insertId,
    );
    for (const [assetId, status] of [
      [ordered, "awaiting_payment"],
      [paid, "in_progress"],
    ] as const) {
      const o = await t.db
        .insertInto("appraisal_orders")
        .values({
          firm_org_id: w.firmA.orgId,
          valuer_org_id: valuer,
          status,
          fee_fen: 300_000,
          payment_mode: "offline",
          idempotency_key: randomUUID(),
          stripe_session_id: null,
          stripe_payment_intent: null,
          created_by: w.firmA.userId,
          created_at: nowInstant(),
          paid_at: null,
        })
        .executeTakeFirstOrThrow();
      await t.db
        .insertInto("appraisal_order_items")
        .values({ order_id: Number(o.insertId), asset_id: assetId, indicative_central_fen: 1 })
        .execute();
    }
    const approvable = await newApplication(t.db, w, { assetIds: [signed], amountFen: 25_000_000 });
    const tooMuch = await newApplication(t.db, w, { assetIds: [signed], amountFen: 25_000_001 });
    const waiting = await newApplication(t.db, w, {
      assetIds: [expired, ordered, paid, none],
      amountFen: 10_000_000,
    });
    const got = await pledgeOverviewOfApplications(
      t.db,
      w.bankX.orgId,
      [approvable, tooMuch, waiting],
      today,
    );
    expect(got[approvable]).toEqual({
      appraisal: [{ status: "signed", count: 1 }],
      capacityFen: 25_000_000,
      amountFen: 25_000_000,
      supported: true,
    });
    expect(got[tooMuch]).toMatchObject({ capacityFen: 25_000_000, supported: false });
    expect(got[waiting]).toEqual({
      appraisal: [
        { status: "none", count: 1 },
        { status: "expired", count: 1 },
        { status: "ordered", count: 1 },
        { status: "paid", count: 1 },
      ],
      capacityFen: 0,
      amountFen: 10_000_000,
      supported: false,
    });
    // Another bank sees nothing of them.
    expect(await pledgeOverviewOfApplications(t.db, w.bankY.orgId, [approvable], today)).toEqual(
      {},
    );
  });
});
