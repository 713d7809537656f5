/**
 * Appraisal-event mails (issue 11): the firm is mailed, in each user's language and with the
 * one-click unsubscribe, when its appraisal fee is confirmed paid and when the report is signed.
 */
import { describe, expect, it } from "vitest";
import {
  createAppraisalOrder,
  signAppraisalOrder,
  startAppraisalWork,
} from "../../app/models/appraisal.server";
import { markOfflinePaid } from "../../app/models/payment.server";
import { makeAdmin, makeAsset, makeFirm, makeValuer } from "../support/appraisal";
import { useTestDb } from "../support/db";

describe("appraisal-event mails from real transitions", () => {
  const t = useTestDb();

  it("mails the firm when its appraisal fee is confirmed and when the report is signed", async () => {
    const firm = await makeFirm(t.db);
    const valuer = await makeValuer(t.db);
    const admin = await makeAdmin(t.db);
    const asset = await makeAsset(t.db, firm);
    const { orderId } = await createAppraisalOrder(t.db, firm, {
      assetIds: [asset],
      valuerOrgId: valuer.org_id,
    });
    const mails = (template: string) =>
      t.db
        .selectFrom("mail_queue")
        .select(["to_email", "subject", "body_text", "list_unsubscribe"])
        .where("template", "=", template)
        .where("body_text", "like", `%/firm/appraisals/${orderId}%`)
        .execute();
    expect(await mails("appraisalPaid")).toHaveLength(0);
    await markOfflinePaid(t.db, admin, orderId, 1, { reference: "BANK-REF-MAIL" });
    const paid = await mails("appraisalPaid");
    expect(paid).toHaveLength(1);
    expect(paid[0].to_email).toBe(firm.email);
    expect(paid[0].subject).toMatch(/^评估订单 PG\d{10}：评估费已到账$/);
    expect(paid[0].list_unsubscribe).toContain("/unsubscribe/");
    await startAppraisalWork(t.db, valuer, orderId, 2);
    await signAppraisalOrder(t.db, valuer, orderId, 3, [
      {
        assetId: asset,
        lowFen: 80_000_000,
        centralFen: 90_000_000,
        highFen: 100_000_000,
        method: "income",
        assumptions: "持续经营；许可费率 3%；折现率 12%",
        reportText: "经评定估算，该专利权于评估基准日的市场价值如上。",
      },
    ]);
    const signed = await mails("appraisalSigned");
    expect(signed).toHaveLength(1);
    expect(signed[0].to_email).toBe(firm.email);
  });
});
