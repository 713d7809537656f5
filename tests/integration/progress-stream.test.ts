import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import type { ProgressSummary } from "../../app/domain/progress";
import { subscribeToProgress } from "../../app/models/progress.server";
import { useTestDb } from "../support/db";
import { addAsset, createDealWorld, driveTo, newApplication } from "../support/applications";

async function waitFor(check: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the live progress hub behind /events/progress", () => {
  const t = useTestDb();
  const previousPoll = process.env.PROGRESS_POLL_MS;
  afterAll(() => {
    if (previousPoll === undefined) delete process.env.PROGRESS_POLL_MS;
    else process.env.PROGRESS_POLL_MS = previousPoll;
  });

  it("pushes after a commit in this process at once, and after another process's commit at the next poll", async () => {
    process.env.PROGRESS_POLL_MS = "300";
    const w = await createDealWorld(t.db);
    const id = await newApplication(t.db, w, {
      assetIds: [await addAsset(t.db, w.firmA.orgId)],
      amountFen: 7_654_300,
    });
    await driveTo(t.db, w, id, "pledge_registered");

    const seen: ProgressSummary[] = [];
    const unsubscribe = subscribeToProgress(t.db, (s) => seen.push(s));
    await waitFor(() => seen.length > 0);
    const before = seen[0].financedFen;

    await driveTo(t.db, w, id, "disbursed");
    await waitFor(() => seen[seen.length - 1].financedFen === before + 7_654_300, 1_000);
    const pushes = seen.length;

    // Another process commits: the rollup moves without any event in this one.
    await t.db
      .updateTable("disbursement_rollups")
      .set({ amount_fen: sql`amount_fen + 1` })
      .where("dimension", "=", "total")
      .execute();
    await waitFor(() => seen[seen.length - 1].financedFen === before + 7_654_301, 2_000);
    // Nothing changed since: the polls push nothing more.
    const count = seen.length;
    await new Promise((r) => setTimeout(r, 700));
    expect(seen.length).toBe(count);
    expect(count).toBe(pushes + 1);

    unsubscribe();
    expect((globalThis as { __zrProgressHub?: unknown }).__zrProgressHub).toBeUndefined();
    await t.db
      .updateTable("disbursement_rollups")
      .set({ amount_fen: sql`amount_fen - 1` })
      .where("dimension", "=", "total")
      .execute();
  });
});
