/**
 * Matching never counts a pledged asset as collateral (docs/domain.md#matching), on SQLite and
 * MariaDB (TEST_DB): requests written while an asset was free, then the asset pledged by an
 * approval, kept through a default and freed by the bank's release — with nothing refreshed in
 * between, since no stored summary depends on the locks. Both directions, every path: the firm's
 * states and its SQL and in-memory classifications, the bank's states, matches, counts and the
 * pipeline's batched counts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type MatchState } from "../../app/domain/matching";
import { findProductStatesForRequest } from "../../app/models/match-states.server";
import {
  countRequestStatesForProducts,
  countRequestsForProducts,
  findMatchesForRequest,
  findRequestStatesForProduct,
  findRequestsForProduct,
} from "../../app/models/matching.server";
import { createRequest } from "../../app/models/request.server";
import { recordLoanDefault } from "../../app/models/servicing/loan.server";
import { releaseDefaultedPledge } from "../../app/models/servicing/pledge.server";
import { todayInChina } from "../../app/utils/time";
import { useTestDb } from "../support/db";
import {
  addAsset,
  createDealWorld,
  driveTo,
  newApplication,
  type DealWorld,
} from "../support/applications";

const today = todayInChina();

describe(`matching and pledge locks on ${process.env.TEST_DB ?? "sqlite"}`, () => {
  const t = useTestDb();
  let w: DealWorld;
  let pledged = 0;
  let free = 0;
  /** Offers only the asset that gets pledged. */
  let alone = 0;
  /** Offers it beside a free asset that covers the amount by itself. */
  let beside = 0;

  beforeAll(async () => {
    w = await createDealWorld(t.db);
    // 100万 each, lending 25万 at 25%: either covers a 10万 request.
    pledged = await addAsset(t.db, w.firmA.orgId, { title: "将被质押的专利" });
    free = await addAsset(t.db, w.firmA.orgId, { title: "空闲专利" });
    const request = (assetIds: number[]) =>
      createRequest(t.db, {
        firmOrgId: w.firmA.orgId,
        userId: w.firmA.userId,
        today,
        input: { amountFen: 10_000_000, termMonths: 12, maxRateBp: 450, purpose: "采购", assetIds },
      });
    alone = await request([pledged]);
    beside = await request([pledged, free]);
  });

  /** The firm's view of request `id`: each product's state and failure codes, on every path. */
  async function firmSide(id: number) {
    const states = await findProductStatesForRequest(t.db, id, today);
    const byProduct = new Map<number, { state: MatchState; codes: string[] }>();
    for (const [state, evaluations] of Object.entries(states!.groups)) {
      for (const e of evaluations) {
        byProduct.set(e.productId, {
          state: state as MatchState,
          codes: (e.stateFailures ?? e.failures).map((f) => f.code),
        });
      }
    }
    const paths = [];
    for (const useCache of [true, false]) {
      const m = await findMatchesForRequest(t.db, id, today, { useCache });
      paths.push({
        matches: m!.matches.map((e) => e.productId),
        nearMisses: m!.nearMisses.map((e) => [e.productId, e.failures.map((f) => f.code)]),
      });
    }
    expect(paths[0], "the product table and the SQL classify alike").toEqual(paths[1]);
    return { x: byProduct.get(w.productX), y: byProduct.get(w.productY), ...paths[0] };
  }

  /** The bank's view of product X: states of our requests, its matches and all its counts. */
  async function bankSide() {
    const states = await findRequestStatesForProduct(t.db, w.productX, { pageSize: 100 }, today);
    const matches = await findRequestsForProduct(t.db, w.productX, { pageSize: 100 }, today);
    const counts = await countRequestsForProducts(t.db, [w.productX], today);
    const stateCounts = await countRequestStatesForProducts(t.db, [w.productX], today);
    expect(stateCounts.get(w.productX)).toEqual(states!.counts);
    expect(counts.get(w.productX)).toBe(matches!.total);
    return {
      states: Object.fromEntries(
        states!.rows.map((r) => [
          r.requestId,
          [r.state, (r.evaluation.stateFailures ?? r.evaluation.failures).map((f) => f.code)],
        ]),
      ),
      matches: matches!.rows.map((r) => r.requestId),
      total: matches!.total,
      counts: states!.counts,
    };
  }

  it("counts the asset while it is free", async () => {
    expect(await firmSide(alone)).toMatchObject({
      x: { state: "ready", codes: [] },
      y: { state: "ready", codes: [] },
      matches: [w.productX, w.productY].sort((a, b) => a - b),
      nearMisses: [],
    });
    expect(await bankSide()).toEqual({
      states: { [alone]: ["ready", []], [beside]: ["ready", []] },
      matches: [alone, beside].sort((a, b) => a - b),
      total: 2,
      counts: { ready: 2, needs_appraisal: 0, near_miss: 0 },
    });
  });

  let loan = 0;

  it("excludes it once an approval pledges it, saying why, in both directions", async () => {
    loan = await newApplication(t.db, w, { assetIds: [pledged] });
    await driveTo(t.db, w, loan, "disbursed");
    const alonePage = await firmSide(alone);
    expect(alonePage).toMatchObject({
      x: { state: "near_miss", codes: ["asset_pledged"] },
      y: { state: "near_miss", codes: ["asset_pledged"] },
      matches: [],
      nearMisses: [
        [Math.min(w.productX, w.productY), ["asset_pledged"]],
        [Math.max(w.productX, w.productY), ["asset_pledged"]],
      ],
    });
    // The free asset still covers the amount: a match, lent on the free asset alone.
    const besidePage = await firmSide(beside);
    expect(besidePage).toMatchObject({ x: { state: "ready" }, nearMisses: [] });
    const states = await findProductStatesForRequest(t.db, beside, today);
    const x = states!.groups.ready.find((e) => e.productId === w.productX)!;
    expect(x.eligibleAssetIds).toEqual([free]);
    expect(x.notes).toEqual([
      { code: "asset_pledged", assetId: pledged, assetTitle: "将被质押的专利" },
    ]);

    expect(await bankSide()).toEqual({
      states: { [alone]: ["near_miss", ["asset_pledged"]], [beside]: ["ready", []] },
      matches: [beside],
      total: 1,
      counts: { ready: 1, needs_appraisal: 0, near_miss: 1 },
    });
  });

  it("keeps excluding it after the default, and counts it again once the bank releases the pledge", async () => {
    const bank = {
      actorUserId: w.bankX.userId,
      actorOrgId: w.bankX.orgId,
      bankOrgId: w.bankX.orgId,
    };
    await recordLoanDefault(t.db, { ...bank, applicationId: loan, reason: "逾期超过九十天" });
    expect((await firmSide(alone)).x).toEqual({ state: "near_miss", codes: ["asset_pledged"] });
    expect((await bankSide()).matches).toEqual([beside]);

    await releaseDefaultedPledge(t.db, { ...bank, applicationId: loan, reason: "法院拍卖处置" });
    expect((await firmSide(alone)).x).toEqual({ state: "ready", codes: [] });
    expect(await bankSide()).toMatchObject({
      matches: [alone, beside].sort((a, b) => a - b),
      total: 2,
      counts: { ready: 2, needs_appraisal: 0, near_miss: 0 },
    });
  });
});
