/**
 * The pledge outlives the default (docs/domain.md#pledge-locks, decision 022), on SQLite and
 * MariaDB (TEST_DB): recording a default keeps the pledge locks, so another application of the
 * same firm cannot pledge the asset and the firm cannot renumber it; recording the disposal's sale
 * releases them; the bank may release them by hand (audited), but not while the IP is listed, not
 * on a loan that is not defaulted, not twice — and a released pledge cannot be listed.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getApplicationRow } from "../../app/models/application.server";
import { assertAssetUnencumbered, findEncumbrance } from "../../app/models/asset.server";
import { UserFacingError } from "../../app/models/errors";
import type { RiskActor } from "../../app/models/risk-sharing/common.server";
import {
  listForDisposal,
  recordProceeds,
  withdrawDisposal,
} from "../../app/models/risk-sharing/disposals.server";
import {
  recordLoanDefault,
  reverseRepayment,
  settleLoan,
} from "../../app/models/servicing/loan.server";
import { getPledgeHold, releaseDefaultedPledge } from "../../app/models/servicing/pledge.server";
import { todayInChina } from "../../app/utils/time";
import { useTestDb } from "../support/db";
import {
  addAsset,
  createDealWorld,
  driveTo,
  newApplication,
  type DealWorld,
} from "../support/applications";

const WAN = 1_000_000;
const keyOf = (e: unknown) => (e instanceof UserFacingError ? e.key : String(e));

describe(`a defaulted loan's pledge on ${process.env.TEST_DB ?? "sqlite"}`, () => {
  const t = useTestDb();
  let w: DealWorld;
  let bank: RiskActor;
  const today = todayInChina();

  beforeAll(async () => {
    w = await createDealWorld(t.db);
    bank = { userId: w.bankX.userId, orgId: w.bankX.orgId, role: "bank_officer" };
  });

  async function locksOf(applicationId: number) {
    const rows = await t.db
      .selectFrom("pledge_locks")
      .select("asset_id")
      .where("application_id", "=", applicationId)
      .orderBy("asset_id")
      .execute();
    return rows.map((r) => r.asset_id);
  }

  async function auditOf(applicationId: number, action: string) {
    return t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity_type", "=", "application")
      .where("entity_id", "=", String(applicationId))
      .where("action", "=", action)
      .execute();
  }

  async function refusal(p: Promise<unknown>) {
    const e = await p.then(
      () => null,
      (err: unknown) => err,
    );
    expect(e, "expected a refusal").toBeInstanceOf(UserFacingError);
    return e as UserFacingError;
  }

  /** A disbursed loan of firm A at bank X on two assets, then its default. */
  async function defaultedLoan() {
    const assets = [await addAsset(t.db, w.firmA.orgId), await addAsset(t.db, w.firmA.orgId)];
    const id = await newApplication(t.db, w, { assetIds: assets });
    await driveTo(t.db, w, id, "disbursed");
    await recordLoanDefault(t.db, {
      applicationId: id,
      reason: "借款人逾期超过九十天，催收无果",
      actorUserId: w.bankX.userId,
      actorOrgId: w.bankX.orgId,
      bankOrgId: w.bankX.orgId,
    });
    return { id, assets };
  }

  const release = (applicationId: number, reason = "质押专利已经法院拍卖处置，解除质押") =>
    releaseDefaultedPledge(t.db, {
      applicationId,
      reason,
      actorUserId: w.bankX.userId,
      actorOrgId: w.bankX.orgId,
      bankOrgId: w.bankX.orgId,
    });

  const listing = (applicationId: number) =>
    listForDisposal(t.db, bank, {
      applicationId,
      kind: "transfer",
      title: "一种节能装置 发明专利转让",
      assetSummary: "发明专利 2 件",
      appraisalFen: null,
      askingFen: 50 * WAN,
      terms: "一次性转让",
    });

  it("keeps the locks: the same firm's next application cannot pledge the asset, nor renumber it", async () => {
    const { id, assets } = await defaultedLoan();
    expect((await getApplicationRow(t.db, id))!.state).toBe("defaulted");
    expect(await locksOf(id)).toEqual(assets);
    expect(await getPledgeHold(t.db, w.bankX.orgId, id)).toEqual({ lockedAssetIds: assets });
    const defaultAudit = await auditOf(id, "loan.default");
    expect(JSON.parse(defaultAudit[0].detail_json!)).toMatchObject({ pledgedAssetIds: assets });

    // The guard agrees with the locks.
    expect(await findEncumbrance(t.db, assets[0])).toEqual({ pledgedBy: id, applications: [] });
    expect(keyOf(await refusal(assertAssetUnencumbered(t.db, assets[0])))).toBe(
      "assets:errors.pledged",
    );

    // Firm A applies again with one of the pledged assets: the approval is refused.
    const next = await newApplication(t.db, w, { assetIds: [assets[1]] });
    const e = await refusal(driveTo(t.db, w, next, "approved"));
    expect(e.key).toBe("applications:errors.assetLocked");
    expect(e.params).toMatchObject({ assetId: assets[1] });
    expect((await getApplicationRow(t.db, next))!.state).toBe("under_review");
    expect(await locksOf(next)).toEqual([]);
  });

  it("recording the disposal's sale releases the locks, audited; the asset can then be pledged again", async () => {
    const { id, assets } = await defaultedLoan();
    const disposalId = await listing(id);
    expect(await locksOf(id)).toEqual(assets);
    // Listed: the bank cannot release the pledge by hand.
    const listed = await refusal(release(id));
    expect(listed.key).toBe("servicing:refusals.releaseWhileListed");
    expect(listed.params).toEqual({ id: disposalId });
    expect(await locksOf(id)).toEqual(assets);

    await recordProceeds(t.db, bank, {
      disposalId,
      proceedsFen: 30 * WAN,
      buyerName: "丙科技有限公司",
      soldDate: today,
      idempotencyKey: `sale-${disposalId}`,
    });
    expect(await locksOf(id)).toEqual([]);
    const audit = await auditOf(id, "loan.pledge_release");
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].detail_json!)).toEqual({
      via: "disposal",
      disposalId,
      releasedAssetIds: assets,
    });
    expect(await findEncumbrance(t.db, assets[0])).toEqual({ pledgedBy: null, applications: [] });
    // Nothing left to release by hand.
    expect(keyOf(await refusal(release(id)))).toBe("servicing:refusals.pledgeAlreadyReleased");

    const next = await newApplication(t.db, w, { assetIds: [assets[0]] });
    await driveTo(t.db, w, next, "approved");
    expect(await locksOf(next)).toEqual([assets[0]]);
  });

  it("the bank releases the pledge by hand with a reason, audited, once; a released pledge is not listed", async () => {
    const { id, assets } = await defaultedLoan();
    // Another bank: the loan does not exist for it.
    const other = await refusal(
      releaseDefaultedPledge(t.db, {
        applicationId: id,
        reason: "不是本行贷款",
        actorUserId: w.bankY.userId,
        actorOrgId: w.bankY.orgId,
        bankOrgId: w.bankY.orgId,
      }),
    );
    expect(other.status).toBe(404);
    expect(keyOf(await refusal(release(id, " 无 ")))).toBe("servicing:refusals.reasonRequired");
    expect(await locksOf(id)).toEqual(assets);

    expect(await release(id)).toEqual({ releasedAssetIds: assets });
    expect(await locksOf(id)).toEqual([]);
    const audit = await auditOf(id, "loan.pledge_release");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_user_id: w.bankX.userId,
      org_id: w.bankX.orgId,
      reason: "质押专利已经法院拍卖处置，解除质押",
    });
    expect(JSON.parse(audit[0].detail_json!)).toEqual({ via: "bank", releasedAssetIds: assets });
    await expect(assertAssetUnencumbered(t.db, assets[0])).resolves.toBeUndefined();

    expect(keyOf(await refusal(release(id)))).toBe("servicing:refusals.pledgeAlreadyReleased");
    expect(keyOf(await refusal(listing(id)))).toBe("risk:errors.pledgeReleased");
    expect(await auditOf(id, "loan.pledge_release")).toHaveLength(1);
  });

  it("refuses to release the pledge of a loan that is not defaulted", async () => {
    const asset = await addAsset(t.db, w.firmA.orgId);
    const id = await newApplication(t.db, w, { assetIds: [asset] });
    await driveTo(t.db, w, id, "disbursed");
    expect(keyOf(await refusal(release(id)))).toBe("servicing:refusals.releaseNotDefaulted");
    expect(await locksOf(id)).toEqual([asset]);
    expect(await auditOf(id, "loan.pledge_release")).toEqual([]);
  });

  it("a release and a listing racing on one loan: one wins, never a listing on a released pledge", async () => {
    for (let round = 0; round < 5; round++) {
      const { id } = await defaultedLoan();
      const [released, listed] = await Promise.allSettled([release(id), listing(id)]);
      const ok = [released, listed].filter((r) => r.status === "fulfilled");
      expect(ok, `round ${round}`).toHaveLength(1);
      const live = await t.db
        .selectFrom("disposals")
        .select("id")
        .where("live_key", "=", id)
        .execute();
      const locks = await locksOf(id);
      if (released.status === "fulfilled") {
        expect(live).toEqual([]);
        expect(locks).toEqual([]);
        expect(keyOf((listed as PromiseRejectedResult).reason)).toBe("risk:errors.pledgeReleased");
      } else {
        expect(live).toHaveLength(1);
        expect(locks).toHaveLength(2);
        expect(keyOf(released.reason)).toBe("servicing:refusals.releaseWhileListed");
      }
    }
  });

  it("withdrawing a listing keeps the pledge, with a reason, audited, once; the loan may be listed again", async () => {
    const { id, assets } = await defaultedLoan();
    const disposalId = await listing(id);
    const withdraw = (actor: RiskActor, reason = "买方放弃受让，撤回挂牌") =>
      withdrawDisposal(t.db, actor, { disposalId, reason });
    const row = () =>
      t.db
        .selectFrom("disposals")
        .select(["state", "live_key", "closed_at", "version"])
        .where("id", "=", disposalId)
        .executeTakeFirstOrThrow();
    const before = await row();

    // Another bank: 404; no reason: refused; neither changes anything.
    const other = await refusal(
      withdraw({ userId: w.bankY.userId, orgId: w.bankY.orgId, role: "bank_officer" }),
    );
    expect(other.status).toBe(404);
    expect(keyOf(await refusal(withdraw(bank, " 无 ")))).toBe("risk:errors.withdrawReason");
    expect(await row()).toEqual(before);

    await withdraw(bank);
    expect(await row()).toMatchObject({ state: "withdrawn", live_key: null, version: 2 });
    expect((await row()).closed_at).not.toBeNull();
    expect(await locksOf(id)).toEqual(assets);
    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity_type", "=", "disposal")
      .where("entity_id", "=", String(disposalId))
      .where("action", "=", "disposal.withdraw")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_user_id: w.bankX.userId,
      from_state: "listed",
      to_state: "withdrawn",
      reason: "买方放弃受让，撤回挂牌",
    });

    // Once only, and a withdrawn listing records no sale.
    expect(keyOf(await refusal(withdraw(bank)))).toBe("risk:errors.notListed");
    const sale = await refusal(
      recordProceeds(t.db, bank, {
        disposalId,
        proceedsFen: 30 * WAN,
        buyerName: "丙科技有限公司",
        soldDate: today,
        idempotencyKey: `sale-withdrawn-${disposalId}`,
      }),
    );
    expect(sale.key).toBe("risk:errors.notListed");
    expect(await locksOf(id)).toEqual(assets);

    // The pledge stands: the loan can be listed again (and a sold listing cannot be withdrawn).
    const again = await listing(id);
    expect(again).not.toBe(disposalId);
    await recordProceeds(t.db, bank, {
      disposalId: again,
      proceedsFen: 30 * WAN,
      buyerName: "丙科技有限公司",
      soldDate: today,
      idempotencyKey: `sale-${again}`,
    });
    expect(
      keyOf(
        await refusal(withdrawDisposal(t.db, bank, { disposalId: again, reason: "成交后撤回" })),
      ),
    ).toBe("risk:errors.notListed");
    expect(await locksOf(id)).toEqual([]);
  });

  describe("a reversed repayment that reopens a repaid loan", () => {
    /** A loan of firm A on two assets, settled on its disbursement day (locks gone). */
    async function repaidLoan() {
      const assets = [await addAsset(t.db, w.firmA.orgId), await addAsset(t.db, w.firmA.orgId)];
      const id = await newApplication(t.db, w, { assetIds: assets });
      await driveTo(t.db, w, id, "disbursed", { valueDate: today });
      const settled = await settleLoan(t.db, {
        applicationId: id,
        valueDate: today,
        idempotencyKey: `settle-${id}-reopen`,
        actorUserId: w.bankX.userId,
        actorOrgId: w.bankX.orgId,
        bankOrgId: w.bankX.orgId,
      });
      expect((await getApplicationRow(t.db, id))!.state).toBe("repaid");
      expect(await locksOf(id)).toEqual([]);
      return { id, assets, entryId: settled.entryId };
    }
    const reverse = (entryId: number) =>
      reverseRepayment(t.db, {
        entryId,
        reason: "结清款项入错账户",
        actorUserId: w.bankX.userId,
        actorOrgId: w.bankX.orgId,
        bankOrgId: w.bankX.orgId,
      });

    it("takes the pledge back with the loan", async () => {
      const { id, assets, entryId } = await repaidLoan();
      await reverse(entryId);
      expect((await getApplicationRow(t.db, id))!.state).toBe("disbursed");
      expect(await locksOf(id)).toEqual(assets);
      expect(await findEncumbrance(t.db, assets[0])).toMatchObject({ pledgedBy: id });
    });

    it("is refused, changing nothing, when an asset was pledged to another loan meanwhile", async () => {
      const { id, assets, entryId } = await repaidLoan();
      const other = await newApplication(t.db, w, { assetIds: [assets[1]] });
      await driveTo(t.db, w, other, "approved");
      const e = await refusal(reverse(entryId));
      expect(e.key).toBe("servicing:refusals.reopenAssetPledged");
      expect((await getApplicationRow(t.db, id))!.state).toBe("repaid");
      expect(await locksOf(id)).toEqual([]);
      expect(await locksOf(other)).toEqual([assets[1]]);
      const reversals = await t.db
        .selectFrom("repayment_entries")
        .select("id")
        .where("reverses_entry_id", "=", entryId)
        .execute();
      expect(reversals).toEqual([]);
    });
  });
});
