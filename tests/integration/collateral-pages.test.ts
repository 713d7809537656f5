/**
 * Collateral monitoring over HTTP (docs/domain.md#collateral-monitoring): the bank's and the
 * firm's watch lists, the fee a firm records and the bank confirms, legal-status events from
 * either side, the CSV import of a bank and of the admin — each refusal writing nothing, each
 * change audited, and an invalidation cutting the loan's coverage at once.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { addDays } from "../../app/domain/ip";
import { toCsv } from "../../app/domain/csv";
import { createApplicationDraft } from "../../app/models/application.server";
import { todayInChina } from "../../app/utils/time";
import { expectOutcome, matrix, requestAs, useActors, type Actor } from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { addAsset, addProduct, countRows, driveTo, type DealWorld } from "../support/applications";
import { useAppServer } from "../support/http";

const today = todayInChina();
const PRINCIPAL = 50_000_000;

function form(body: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(body).toString(),
    redirect: "manual",
  };
}

function upload(rows: string[][]): RequestInit {
  const fd = new FormData();
  fd.set("file", new File([toCsv(rows)], "events.csv", { type: "text/csv" }));
  return { method: "POST", body: fd, redirect: "manual" };
}

const HEAD = ["申请号/注册号", "事件", "事件日期", "公告日", "备注"];

describe(`collateral pages (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let loanId = 0;
  /** Its next annual fee is due in five days. */
  let feeAsset = 0;
  let otherAsset = 0;
  let feeYear = 0;
  const count = (table: "collateral_fee_payments" | "legal_status_events") =>
    countRows(t.db, table);
  const page = (actor: Actor, path: string) =>
    requestAs(app, actors, actor, path).then((r) => r.text());
  const audits = (action: string) =>
    t.db
      .selectFrom("audit_log")
      .select(["entity_id", "detail_json"])
      .where("action", "=", action)
      .execute();
  const status = async (id: number) =>
    (
      await t.db
        .selectFrom("ip_assets")
        .select("status")
        .where("id", "=", id)
        .executeTakeFirstOrThrow()
    ).status;
  const numberOf = async (id: number) =>
    (
      await t.db
        .selectFrom("ip_assets")
        .select("number")
        .where("id", "=", id)
        .executeTakeFirstOrThrow()
    ).number;

  beforeAll(async () => {
    const product = await addProduct(t.db, actors.bankX.orgId, actors.bankX.userId);
    feeAsset = await addAsset(t.db, actors.firmA.orgId, { valueFen: 200_000_000 });
    otherAsset = await addAsset(t.db, actors.firmA.orgId, { valueFen: 200_000_000 });
    // The filing date whose anniversary is six days away: the fee deadline is in five.
    const anniversary = addDays(today, 6);
    const filingYear = Number(anniversary.slice(0, 4)) - 5;
    await t.db
      .updateTable("ip_assets")
      .set({ filing_date: `${filingYear}${anniversary.slice(4)}` })
      .where("id", "=", feeAsset)
      .execute();
    feeYear = Number(anniversary.slice(0, 4)) - filingYear + 1;
    const { applicationId } = await createApplicationDraft(t.db, {
      firmOrgId: actors.firmA.orgId,
      userId: actors.firmA.userId,
      productId: product,
      requestId: null,
      amountFen: PRINCIPAL,
      termMonths: 12,
      rateBp: 385,
      assetIds: [feeAsset, otherAsset],
    });
    const party = (a: "firmA" | "bankX") => ({
      userId: actors[a].userId,
      orgId: actors[a].orgId,
    });
    const w = { firmA: party("firmA"), bankX: party("bankX") } as unknown as DealWorld;
    await driveTo(t.db, w, applicationId, "disbursed", { valueDate: addDays(today, -10) });
    loanId = applicationId;
    // The threshold just under what both assets give: losing either puts the loan below it.
    const pledged = await t.db
      .selectFrom("application_assets")
      .select("value_fen")
      .where("application_id", "=", loanId)
      .execute();
    const total = pledged.reduce((s, r) => s + Number(r.value_fen), 0);
    await t.db
      .updateTable("loan_products")
      .set({ min_coverage_bp: Math.floor((total * 10_000) / PRINCIPAL) - 1 })
      .where("id", "=", product)
      .execute();
  });

  it("shows each side only its own loans' collateral", async () => {
    const gate: Record<Actor, number | "login"> = {
      anonymous: "login",
      firmA: 403,
      firmB: 403,
      bankX: 403,
      bankY: 403,
      valuer: 403,
      alliance: 403,
      admin: 403,
    };
    const check = async (path: string, expected: Partial<Record<Actor, number | "login">>) => {
      for (const [actor, outcome] of matrix({ ...gate, ...expected })) {
        await expectOutcome(app, actors, actor, path, outcome);
      }
    };
    await check("/bank/watch", { bankX: 200, bankY: 200 });
    await check("/firm/watch", { firmA: 200, firmB: 200 });
    await check(`/bank/loans/${loanId}/collateral`, { bankX: 200, bankY: 404 });
    await check(`/firm/loans/${loanId}/collateral`, { firmA: 200, firmB: 404 });

    // The fee due in five days is on both sides' lists, in its group, linking loan and asset.
    const bank = await page("bankX", "/bank/watch");
    expect(bank).toContain('data-group="fee_due"');
    expect(bank).toContain(`href="/bank/loans/${loanId}"`);
    expect(bank).toContain(`href="/bank/loans/${loanId}/collateral#asset-${feeAsset}"`);
    expect(bank).toContain("还剩 5 天");
    const firm = await page("firmA", "/firm/watch");
    expect(firm).toContain(`href="/firm/assets/${feeAsset}"`);
    expect(firm).toContain(`href="/firm/loans/${loanId}"`);
    // Nobody else's: another bank and another firm see the empty state.
    const other = await page("bankY", "/bank/watch");
    expect(other).toContain('data-testid="watch-empty"');
    expect(other).not.toContain(`/bank/loans/${loanId}`);
    const firmB = await page("firmB", "/firm/watch");
    expect(firmB).toContain('data-testid="watch-empty"');
    // The empty list points to the next step.
    expect(/<a [^>]*data-testid="empty-next"[^>]*>/.exec(firmB)?.[0]).toContain(
      'href="/firm/applications"',
    );
    // The loan page leads to the collateral page.
    expect(await page("bankX", `/bank/loans/${loanId}`)).toContain(
      `/bank/loans/${loanId}/collateral`,
    );
  });

  it("refuses a bad fee payment with a message next to the field and writes nothing", async () => {
    const good = {
      intent: "fee",
      assetId: String(feeAsset),
      feeYear: String(feeYear),
      paidDate: today,
      amount: "900",
      receiptNumber: "2026-RCPT-01",
    };
    const cases: [Record<string, string>, string][] = [
      [{ ...good, amount: "九百" }, "金额"],
      [{ ...good, amount: "-1" }, "金额"],
      [{ ...good, paidDate: addDays(today, 1) }, "不能晚于今天"],
      [{ ...good, paidDate: "2026-02-30" }, "日期"],
      [{ ...good, receiptNumber: "" }, "收据"],
      [{ ...good, feeYear: "0" }, "1–30"],
      [{ ...good, feeYear: "1" }, "缴费年度不正确"],
    ];
    const path = `/firm/loans/${loanId}/collateral`;
    for (const [body, text] of cases) {
      const res = await requestAs(app, actors, "firmA", path, form(body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.text(), JSON.stringify(body)).toContain(text);
    }
    // An asset not pledged to this loan, and another firm: not found.
    const stray = await addAsset(t.db, actors.firmA.orgId);
    const wrongAsset = await requestAs(
      app,
      actors,
      "firmA",
      path,
      form({ ...good, assetId: String(stray) }),
    );
    expect(wrongAsset.status).toBe(404);
    const wrongFirm = await requestAs(app, actors, "firmB", path, form(good));
    expect(wrongFirm.status).toBe(404);
    expect(await count("collateral_fee_payments")).toBe(0);
    expect(await audits("collateral.fee")).toHaveLength(0);
  });

  it("records the firm's fee in fen, once, and the bank confirms it once", async () => {
    const body = {
      intent: "fee",
      assetId: String(feeAsset),
      feeYear: String(feeYear),
      paidDate: today,
      amount: "1,200.50",
      receiptNumber: "2026-RCPT-01",
    };
    const path = `/firm/loans/${loanId}/collateral`;
    const res = await requestAs(app, actors, "firmA", path, form(body));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${path}#asset-${feeAsset}`);
    const again = await requestAs(app, actors, "firmA", path, form(body));
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("已登记过");
    const rows = await t.db.selectFrom("collateral_fee_payments").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ fee_year: feeYear, confirmed_by: null });
    expect(Number(rows[0].amount_fen)).toBe(120_050);
    expect(await audits("collateral.fee")).toHaveLength(1);
    expect(await page("firmA", path)).toContain("待银行确认");

    // Paid: off the fee-due group of the bank's list.
    const list = await page("bankX", "/bank/watch?group=fee_due");
    expect(list).not.toContain(`#asset-${feeAsset}`);

    const confirm = form({
      intent: "confirm",
      assetId: String(feeAsset),
      paymentId: String(rows[0].id),
    });
    // The firm may not confirm its own payment; another bank does not see it.
    expect((await requestAs(app, actors, "firmA", path, confirm)).status).toBe(403);
    const foreign = await requestAs(
      app,
      actors,
      "bankY",
      `/bank/loans/${loanId}/collateral`,
      confirm,
    );
    expect(foreign.status).toBe(404);
    const bankPath = `/bank/loans/${loanId}/collateral`;
    expect((await requestAs(app, actors, "bankX", bankPath, confirm)).status).toBe(302);
    const twice = await requestAs(app, actors, "bankX", bankPath, confirm);
    expect(twice.status).toBe(409);
    expect(await twice.text()).toContain("已被确认");
    const after = await t.db.selectFrom("collateral_fee_payments").selectAll().execute();
    expect(after[0].confirmed_by).toBe(actors.bankX.userId);
    expect(await audits("collateral.fee_confirm")).toHaveLength(1);
    expect(await page("firmA", path)).toContain('data-testid="confirmed"');
  });

  it("records legal events from either side; an invalidation cuts the coverage at once", async () => {
    const bankPath = `/bank/loans/${loanId}/collateral`;
    const before = await count("legal_status_events");
    const bad: [Record<string, string>, string][] = [
      [{ intent: "legal", assetId: String(otherAsset), eventDate: today }, "请选择事件类型"],
      [
        {
          intent: "legal",
          assetId: String(otherAsset),
          eventType: "lapse",
          eventDate: addDays(today, 3),
        },
        "不能晚于今天",
      ],
      [
        { intent: "legal", assetId: String(otherAsset), eventType: "pledge", eventDate: today },
        "请选择事件类型",
      ],
    ];
    for (const [body, text] of bad) {
      const res = await requestAs(app, actors, "bankX", bankPath, form(body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.text()).toContain(text);
    }
    expect(await count("legal_status_events")).toBe(before);
    expect(await status(otherAsset)).toBe("granted");

    // The firm records a licence: no change to coverage.
    const licence = await requestAs(
      app,
      actors,
      "firmA",
      `/firm/loans/${loanId}/collateral`,
      form({
        intent: "legal",
        assetId: String(otherAsset),
        eventType: "licence",
        eventDate: today,
        note: "普通许可",
      }),
    );
    expect(licence.status).toBe(302);
    let bankList = await page("bankX", "/bank/watch?group=coverage");
    expect(bankList).toContain('data-testid="watch-group-empty"');

    // The bank records an invalidation: the asset stops counting, the loan falls below its threshold.
    const invalidated = await requestAs(
      app,
      actors,
      "bankX",
      bankPath,
      form({
        intent: "legal",
        assetId: String(otherAsset),
        eventType: "invalidated",
        eventDate: today,
        noticeDate: today,
        note: "复审无效决定",
      }),
    );
    expect(invalidated.status).toBe(302);
    expect(await status(otherAsset)).toBe("invalidated");
    bankList = await page("bankX", "/bank/watch");
    // The first busy group opens: coverage.
    expect(bankList).toContain('aria-current="page" data-group="coverage"');
    expect(bankList).toContain(`href="/bank/loans/${loanId}"`);
    const collateral = await page("bankX", bankPath);
    expect(collateral).toMatch(new RegExp(`data-asset-id="${otherAsset}" data-counts="no"`));
    expect(collateral).toContain('data-flag="coverage"');
    expect(collateral).toContain('data-flag="lapsed"');
    expect(await page("firmA", "/firm/watch?group=lapsed")).toContain(`/firm/assets/${otherAsset}`);

    // An invalidation is final: restoration is refused and writes nothing.
    const n = await count("legal_status_events");
    const restore = await requestAs(
      app,
      actors,
      "firmA",
      `/firm/loans/${loanId}/collateral`,
      form({
        intent: "legal",
        assetId: String(otherAsset),
        eventType: "restoration",
        eventDate: today,
      }),
    );
    expect(restore.status).toBe(400);
    expect(await restore.text()).toContain("不能恢复权利");
    expect(await count("legal_status_events")).toBe(n);
    const recorded = await t.db
      .selectFrom("legal_status_events")
      .select(["event_type", "source"])
      .orderBy("id")
      .execute();
    expect(recorded).toEqual([
      { event_type: "licence", source: "firm" },
      { event_type: "invalidated", source: "bank" },
    ]);
    expect(await audits("collateral.legal_event")).toHaveLength(2);
  });

  it("imports legal events by CSV all or nothing, within the bank's own loans", async () => {
    const feeNumber = await numberOf(feeAsset);
    const before = await count("legal_status_events");
    const good = [feeNumber, "转让", today, "", "股权重组"];
    // Another bank: the asset is not pledged to its loans, so the line is unknown.
    const foreign = await requestAs(
      app,
      actors,
      "bankY",
      "/collateral/legal-events",
      upload([HEAD, good]),
    );
    expect(foreign.status).toBe(400);
    const foreignText = await foreign.text();
    expect(foreignText).toContain("unknown_asset");
    expect(foreignText).toContain("未导入任何事件");
    // One bad line in the file: nothing at all is written, every bad line is listed.
    const mixed = await requestAs(
      app,
      actors,
      "bankX",
      "/collateral/legal-events",
      upload([HEAD, good, [feeNumber, "质押", "2026-02-30", "", ""]]),
    );
    expect(mixed.status).toBe(400);
    const mixedText = await mixed.text();
    expect(mixedText).toContain("bad_event");
    expect(mixedText).toContain("bad_date");
    const noFile = await requestAs(app, actors, "bankX", "/collateral/legal-events", {
      method: "POST",
      body: new FormData(),
    });
    expect(noFile.status).toBe(400);
    const noColumns = await requestAs(
      app,
      actors,
      "bankX",
      "/collateral/legal-events",
      upload([["号码"], ["1"]]),
    );
    expect(noColumns.status).toBe(400);
    expect(await noColumns.text()).toContain("缺少必填列");
    expect(await count("legal_status_events")).toBe(before);
    expect(await audits("collateral.legal_import")).toHaveLength(0);

    // A clean file: every line in one go; the same file again records nothing twice.
    const ok = await requestAs(
      app,
      actors,
      "bankX",
      "/collateral/legal-events",
      upload([HEAD, good, [` ${feeNumber} `, "许可", today, "", ""]]),
    );
    const okText = await ok.text();
    expect(ok.status).toBe(200);
    expect(okText).toContain("已导入 2 条事件");
    expect(await count("legal_status_events")).toBe(before + 2);
    const again = await requestAs(
      app,
      actors,
      "bankX",
      "/collateral/legal-events",
      upload([HEAD, good]),
    );
    expect(await again.text()).toContain("已导入 0 条事件，跳过 1 条");
    expect(await count("legal_status_events")).toBe(before + 2);

    // The admin may import for any asset; a lapse takes it out of the coverage.
    const lapse = await requestAs(
      app,
      actors,
      "admin",
      "/collateral/legal-events",
      upload([HEAD, [feeNumber, "未缴年费终止", today, today, "公告"]]),
    );
    expect(lapse.status).toBe(200);
    expect(await status(feeAsset)).toBe("lapsed");
    const sources = await t.db
      .selectFrom("legal_status_events")
      .select("source")
      .where("asset_id", "=", feeAsset)
      .execute();
    expect(sources.every((s) => s.source === "csv")).toBe(true);
    expect(await audits("collateral.legal_import")).toHaveLength(3);
    const collateral = await page("bankX", `/bank/loans/${loanId}/collateral`);
    expect(collateral).toContain('data-counts="no"');
    expect(collateral).not.toContain('data-counts="yes"');
  });

  it("records one event typed by number, as the admin's or the bank's own", async () => {
    const number = await numberOf(otherAsset);
    const before = await count("legal_status_events");
    const post = (actor: Actor, body: Record<string, string>) =>
      requestAs(app, actors, actor, "/collateral/legal-events", form(body));
    const unknown = await post("bankY", {
      intent: "single",
      number,
      eventType: "invalidation_request",
      eventDate: today,
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("找不到号码为");
    const future = await post("admin", {
      intent: "single",
      number,
      eventType: "invalidation_request",
      eventDate: addDays(today, 2),
    });
    expect(future.status).toBe(400);
    expect(await future.text()).toContain("不能晚于今天");
    expect(await count("legal_status_events")).toBe(before);
    const ok = await post("admin", {
      intent: "single",
      number,
      eventType: "invalidation_request",
      eventDate: today,
      note: "第三人请求",
    });
    expect(ok.status).toBe(200);
    const last = await t.db
      .selectFrom("legal_status_events")
      .select(["event_type", "source", "recorded_by"])
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(last).toEqual({
      event_type: "invalidation_request",
      source: "admin",
      recorded_by: actors.admin.userId,
    });
  });

  it("gives the template with the Chinese headers and a BOM", async () => {
    const res = await requestAs(app, actors, "bankX", "/collateral/legal-events-template.csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes)).toContain("申请号/注册号,事件,事件日期");
  });
});
