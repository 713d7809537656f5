import iconv from "iconv-lite";
import { beforeAll, describe, expect, it } from "vitest";
import { checkPatent } from "../../app/domain/asset";
import { IMPORT_COLUMNS, IMPORT_HEADERS } from "../../app/domain/asset-import";
import { toCsv } from "../../app/domain/csv";
import { makePatentNumber } from "../../app/domain/patent";
import { stageImport } from "../../app/models/asset-import.server";
import { createAsset } from "../../app/models/asset.server";
import { todayInChina } from "../../app/utils/time";
import {
  expectOutcome,
  matrix,
  requestAs,
  useActors,
  type Actor,
  type Outcome,
} from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

const TODAY = todayInChina();
const FIRM_ONLY: Record<Actor, Outcome> = {
  anonymous: "login",
  firmA: 200,
  firmB: 200,
  bankX: 403,
  bankY: 403,
  valuer: 403,
  alliance: 403,
  admin: 403,
};
/** A page of firm A's own asset or import: firm B gets 404, as if it did not exist. */
const FIRM_A_ONLY: Record<Actor, Outcome> = { ...FIRM_ONLY, firmB: 404 };

function form(values: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(values).toString(),
  };
}

function csv(rows: Record<string, string>[]): string {
  return toCsv([
    IMPORT_COLUMNS.map((c) => IMPORT_HEADERS[c][0]),
    ...rows.map((r) => IMPORT_COLUMNS.map((c) => r[c] ?? "")),
  ]);
}

describe(`/firm/assets over HTTP on ${testDbKind()}`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let assetId = 0;
  let importId = 0;

  const count = async (table: "ip_assets" | "valuation_estimates", orgId?: number) => {
    let q = t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n"));
    if (orgId !== undefined) q = q.where("firm_org_id", "=", orgId);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };

  beforeAll(async () => {
    const r = checkPatent(
      {
        number: makePatentNumber(2019, 1, 123456),
        title: "一种乳清蛋白提取方法",
        status: "granted",
        filingDate: "2019-05-20",
        grantDate: "2021-08-03",
        claimsCount: 6,
      },
      TODAY,
    );
    if (!r.ok) throw new Error("fixture");
    const a = { userId: actors.firmA.userId, orgId: actors.firmA.orgId };
    assetId = await createAsset(t.db, a, r.value);
    const staged = await stageImport(
      t.db,
      a,
      {
        fileName: "a.csv",
        bytes: new TextEncoder().encode(
          csv([{ kind: "商标", number: "99000001", title: "甲", status: "注册", niceClass: "1" }]),
        ),
      },
      TODAY,
    );
    if (!staged.ok) throw new Error("fixture import");
    importId = staged.importId;
  });

  describe("authorization matrix", () => {
    const firmPages = [
      "/firm/assets",
      "/firm/assets/new-patent",
      "/firm/assets/new-trademark",
      "/firm/assets/import",
      "/firm/assets/import-template.csv",
    ];
    for (const path of firmPages) {
      it.each(matrix(FIRM_ONLY))(`GET ${path} as %s → %s`, async (actor, outcome) => {
        await expectOutcome(app, actors, actor, path, outcome);
      });
    }
    const ownPages = [
      (id: number) => `/firm/assets/${id}`,
      (id: number) => `/firm/assets/${id}/edit`,
      (id: number) => `/firm/assets/${id}/delete`,
      (id: number) => `/firm/assets/${id}/valuation`,
    ];
    for (const page of ownPages) {
      it.each(matrix(FIRM_A_ONLY))(
        `GET ${page(0)} (firm A's) as %s → %s`,
        async (actor, outcome) => {
          await expectOutcome(app, actors, actor, page(assetId), outcome);
        },
      );
    }
    for (const page of [
      (id: number) => `/firm/assets/import/${id}`,
      (id: number) => `/firm/assets/import/${id}/errors.csv`,
    ]) {
      it.each(matrix(FIRM_A_ONLY))(
        `GET ${page(0)} (firm A's) as %s → %s`,
        async (actor, outcome) => {
          await expectOutcome(app, actors, actor, page(importId), outcome);
        },
      );
    }

    it("answers 404 for ids that are not numbers or do not exist", async () => {
      for (const path of ["/firm/assets/abc", "/firm/assets/999999", "/firm/assets/0/edit"]) {
        await expectOutcome(app, actors, "firmA", path, 404);
      }
    });

    it("lets no other firm change, value, delete or import firm A's things", async () => {
      const before = await t.db
        .selectFrom("ip_assets")
        .selectAll()
        .where("id", "=", assetId)
        .executeTakeFirstOrThrow();
      await expectOutcome(
        app,
        actors,
        "firmB",
        `/firm/assets/${assetId}/delete`,
        404,
        form({ version: "1" }),
      );
      await expectOutcome(
        app,
        actors,
        "firmB",
        `/firm/assets/${assetId}/edit`,
        404,
        form({ number: before.number, title: "被改了", status: "granted", version: "1" }),
      );
      await expectOutcome(
        app,
        actors,
        "firmB",
        `/firm/assets/${assetId}/valuation`,
        404,
        form({
          revenue: "100万",
          growth: "3",
          royalty: "3",
          discountRate: "14",
          tax: "25",
          share: "50",
          life: "8",
        }),
      );
      await expectOutcome(app, actors, "firmB", `/firm/assets/import/${importId}/run`, 404, {
        method: "POST",
      });
      await expectOutcome(
        app,
        actors,
        "firmB",
        `/firm/assets/import/${importId}`,
        404,
        form({ intent: "confirm" }),
      );
      await expectOutcome(app, actors, "bankX", `/firm/assets/import/${importId}/run`, 403, {
        method: "POST",
      });
      const after = await t.db
        .selectFrom("ip_assets")
        .selectAll()
        .where("id", "=", assetId)
        .executeTakeFirstOrThrow();
      expect(after).toEqual(before);
      expect(await count("valuation_estimates")).toBe(0);
      const imp = await t.db
        .selectFrom("asset_imports")
        .select("status")
        .where("id", "=", importId)
        .executeTakeFirstOrThrow();
      expect(imp.status).toBe("staged");
    });
  });

  describe("listing a patent through the form", () => {
    const number = makePatentNumber(2021, 2, 765432);
    const good = {
      number: `ZL ${number.slice(0, 4)} ${number.slice(4)}`,
      title: "一种防风固沙网格铺设装置",
      status: "granted",
      filingDate: "2021-03-03",
      grantDate: "2021-11-30",
      claimsCount: "5",
    };

    it("shows a firm without assets an empty state that says what to do", async () => {
      const html = await (await requestAs(app, actors, "firmB", "/firm/assets")).text();
      expect(html).toContain('data-testid="assets-empty"');
      expect(html).toContain("您还没有登记任何知识产权");
      expect(html).toContain('href="/firm/assets/import"');
    });

    it("refuses a wrong check digit with the message next to the field, and saves nothing", async () => {
      const before = await count("ip_assets");
      const wrong = number.slice(0, -1) + (number.endsWith("1") ? "2" : "1");
      const res = await requestAs(
        app,
        actors,
        "firmB",
        "/firm/assets/new-patent",
        form({ ...good, number: wrong }),
      );
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain(`校验位错误：应为“${number.slice(-1)}”`);
      expect(await count("ip_assets")).toBe(before);
    });

    it("refuses an 11-digit number naming the expected form (12 digits + check digit), and saves nothing", async () => {
      const before = await count("ip_assets");
      const res = await requestAs(
        app,
        actors,
        "firmB",
        "/firm/assets/new-patent",
        form({ ...good, number: number.slice(0, 11) }),
      );
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain(
        "专利申请号应为 12 位数字加 1 位校验位，如 201710601862.3（2003 年 10 月前的旧号为 8 位数字加校验位）；您输入了 11 位",
      );
      expect(await count("ip_assets")).toBe(before);
      const en = await requestAs(app, actors, "firmB", "/firm/assets/new-patent", {
        ...form({ ...good, number: `${number.slice(0, 11)}.${number.slice(-1)}` }),
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "accept-language": "en",
        },
      });
      expect(en.status).toBe(400);
      expect(await en.text()).toContain(
        "A patent application number is 12 digits plus a check digit, like 201710601862.3 (8 digits before October 2003); you entered 11 digits before the check digit",
      );
      expect(await count("ip_assets")).toBe(before);
    });

    it("says the same in English for an English-speaking user", async () => {
      const res = await requestAs(app, actors, "firmB", "/firm/assets/new-patent", {
        ...form({ ...good, number: "201710601862.4", filingDate: "2017-07-21" }),
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "accept-language": "en",
        },
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("Wrong check digit: it should be “3”");
    });

    it("lists it normalised, with its expiry, and shows it in the portfolio", async () => {
      const res = await requestAs(app, actors, "firmB", "/firm/assets/new-patent", form(good));
      expect(res.status).toBe(302);
      const location = res.headers.get("location") ?? "";
      expect(location).toMatch(/^\/firm\/assets\/\d+\?created=1$/);
      const row = await t.db
        .selectFrom("ip_assets")
        .selectAll()
        .where("number", "=", number)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        firm_org_id: actors.firmB.orgId,
        ip_type: "utility_model",
        expiry_date: "2031-03-03",
        claims_count: 5,
      });
      const list = await requestAs(
        app,
        actors,
        "firmB",
        "/firm/assets?q=" + encodeURIComponent("防风"),
      );
      const html = await list.text();
      expect(html).toContain("一种防风固沙网格铺设装置");
      expect(html).toContain(`ZL${number}`);
    });

    it("refuses the same number for another firm without naming the holder", async () => {
      const before = await count("ip_assets");
      const res = await requestAs(app, actors, "firmA", "/firm/assets/new-patent", form(good));
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain("该号码已在平台登记");
      expect(html).not.toContain("测试企业2有限公司");
      expect(await count("ip_assets")).toBe(before);
    });
  });

  describe("listing a trademark through the form", () => {
    const good = {
      number: "5566 7788",
      title: "草原鹿城",
      status: "registered",
      niceClass: "29",
      trademarkKind: "ordinary",
      registrationDate: "2016-05-14",
      renewals: "1",
    };

    it("refuses a geographical indication on an ordinary mark next to that field", async () => {
      const res = await requestAs(
        app,
        actors,
        "firmA",
        "/firm/assets/new-trademark",
        form({ ...good, geoIndication: "on" }),
      );
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("地理标志只能是集体商标或证明商标");
      const rows = await t.db
        .selectFrom("ip_assets")
        .select("id")
        .where("number", "=", "55667788")
        .execute();
      expect(rows).toEqual([]);
    });

    it("lists it with digits only and the renewed expiry", async () => {
      const res = await requestAs(app, actors, "firmA", "/firm/assets/new-trademark", form(good));
      expect(res.status).toBe(302);
      const row = await t.db
        .selectFrom("ip_assets")
        .selectAll()
        .where("number", "=", "55667788")
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        asset_kind: "trademark",
        nice_class: 29,
        renewals: 1,
        expiry_date: "2036-05-14",
      });
    });
  });

  describe("portfolio", () => {
    it("says when the filters match nothing, with a way back", async () => {
      const res = await requestAs(app, actors, "firmA", "/firm/assets?status=cancelled");
      const html = await res.text();
      expect(html).toContain("没有符合筛选条件的资产");
      expect(html).not.toContain('data-testid="assets-empty"');
      expect(html).toContain("清除筛选");
    });
  });

  describe("instant valuation", () => {
    const inputs = {
      revenue: "500万",
      growth: "5",
      royalty: "3",
      discountRate: "14",
      tax: "15",
      share: "50",
      life: "8",
      scorePvd: "on",
      claims: "6",
      family: "1",
      coOwners: "0",
      stability: "untested",
      advancement: "4",
      nonSubstitutability: "3",
      maturity: "3",
      marketSize: "3",
      marketShare: "3",
      policyFit: "5",
    };

    it("refuses a royalty that is not a percentage and stores nothing", async () => {
      const res = await requestAs(
        app,
        actors,
        "firmA",
        `/firm/assets/${assetId}/valuation`,
        form({ ...inputs, royalty: "abc" }),
      );
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("请输入百分数");
      expect(await count("valuation_estimates")).toBe(0);
    });

    it("stores the estimate with its inputs and updates the asset in one go", async () => {
      const res = await requestAs(
        app,
        actors,
        "firmA",
        `/firm/assets/${assetId}/valuation`,
        form(inputs),
      );
      expect(res.status).toBe(302);
      const m = /\?estimate=(\d+)#result$/.exec(res.headers.get("location") ?? "");
      expect(m).not.toBeNull();
      const est = await t.db
        .selectFrom("valuation_estimates")
        .selectAll()
        .where("id", "=", Number(m![1]))
        .executeTakeFirstOrThrow();
      const asset = await t.db
        .selectFrom("ip_assets")
        .selectAll()
        .where("id", "=", assetId)
        .executeTakeFirstOrThrow();
      expect(asset.indicative_estimate_id).toBe(est.id);
      expect(Number(asset.indicative_value_fen)).toBe(Number(est.central_fen));
      expect(Number(est.low_fen)).toBeLessThan(Number(est.central_fen));
      expect(Number(est.central_fen)).toBeLessThan(Number(est.high_fen));
      expect(est.pvd).not.toBeNull();
      const stored = JSON.parse(est.inputs_json);
      expect(stored.form).toMatchObject({ year1RevenueFen: 500_000_000, royaltyRateBp: 300 });
      expect(stored.asset.number).toBe(asset.number);
      expect(JSON.parse(est.result_json).sensitivity.length).toBeGreaterThan(0);
      const audit = await t.db
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "asset.valuation.indicative")
        .where("entity_id", "=", String(assetId))
        .execute();
      expect(audit).toHaveLength(1);

      const page = await requestAs(
        app,
        actors,
        "firmA",
        `/firm/assets/${assetId}/valuation?estimate=${est.id}`,
      );
      const html = await page.text();
      expect(html).toContain('data-testid="sensitivity-table"');
      expect(html).toContain('data-testid="sensitivity-chart"');
      expect(html).toContain('data-testid="value-central"');
      // Another firm cannot open the stored estimate either.
      await expectOutcome(
        app,
        actors,
        "firmB",
        `/firm/assets/${assetId}/valuation?estimate=${est.id}`,
        404,
      );
    });
  });

  describe("edit and delete", () => {
    it("refuses an edit made on a stale version and keeps the row", async () => {
      const row = await t.db
        .selectFrom("ip_assets")
        .selectAll()
        .where("id", "=", assetId)
        .executeTakeFirstOrThrow();
      const res = await requestAs(
        app,
        actors,
        "firmA",
        `/firm/assets/${assetId}/edit`,
        form({
          number: row.number,
          title: "过时的修改",
          status: "granted",
          filingDate: row.filing_date!,
          grantDate: row.grant_date!,
          version: String(row.version - 1),
        }),
      );
      expect(res.status).toBe(409);
      expect(await res.text()).toContain("该记录已被他人修改");
      const after = await t.db
        .selectFrom("ip_assets")
        .select("title")
        .where("id", "=", assetId)
        .executeTakeFirstOrThrow();
      expect(after.title).toBe(row.title);
    });

    it("deletes after the confirmation step", async () => {
      const page = await requestAs(app, actors, "firmA", `/firm/assets/${assetId}/delete`);
      expect(await page.text()).toContain('data-testid="confirm-delete"');
      const row = await t.db
        .selectFrom("ip_assets")
        .select("version")
        .where("id", "=", assetId)
        .executeTakeFirstOrThrow();
      const res = await requestAs(
        app,
        actors,
        "firmA",
        `/firm/assets/${assetId}/delete`,
        form({ version: String(row.version) }),
      );
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toMatch(/^\/firm\/assets\?deleted=/);
      const gone = await t.db
        .selectFrom("ip_assets")
        .select("id")
        .where("id", "=", assetId)
        .execute();
      expect(gone).toEqual([]);
      await expectOutcome(app, actors, "firmA", `/firm/assets/${assetId}`, 404);
    });
  });

  describe("CSV import", () => {
    it("serves the template with Chinese headers as UTF-8 with a BOM", async () => {
      const res = await requestAs(app, actors, "firmA", "/firm/assets/import-template.csv");
      expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(new TextDecoder().decode(bytes)).toContain("类别,申请号/注册号,名称,法律状态");
    });

    it("uploads a GBK file, previews it, and imports only when confirmed (streaming progress)", async () => {
      const rows: Record<string, string>[] = [
        {
          kind: "专利",
          number: makePatentNumber(2020, 1, 424242),
          title: "一种羊绒分梳机",
          status: "授权",
          filingDate: "2020-02-02",
          grantDate: "2022-02-02",
        },
        {
          kind: "商标",
          number: "77000001",
          title: "鄂尔多斯绒",
          status: "注册",
          registrationDate: "2018-01-01",
          niceClass: "25",
        },
        {
          kind: "专利",
          number: "202010424243.0",
          title: "坏行",
          status: "授权",
          filingDate: "2020-02-02",
        },
      ];
      const body = new FormData();
      body.append(
        "file",
        new Blob([new Uint8Array(iconv.encode(csv(rows), "gbk"))], { type: "text/csv" }),
        "清单.csv",
      );
      const before = await count("ip_assets", actors.firmB.orgId);
      const up = await requestAs(app, actors, "firmB", "/firm/assets/import", {
        method: "POST",
        body,
      });
      expect(up.status).toBe(302);
      const preview = up.headers.get("location")!;
      expect(preview).toMatch(/^\/firm\/assets\/import\/\d+$/);
      expect(await count("ip_assets", actors.firmB.orgId)).toBe(before);

      const page = await (await requestAs(app, actors, "firmB", preview)).text();
      expect(page).toContain("共 3 行：2 行可导入，1 行有问题");
      expect(page).toContain("GBK");
      expect(page).toContain("校验位错误");

      const run = await requestAs(app, actors, "firmB", `${preview}/run`, { method: "POST" });
      expect(run.status).toBe(200);
      expect(run.headers.get("content-type")).toMatch(/^text\/event-stream/);
      const events = (await run.text())
        .split("\n\n")
        .filter((e) => e.startsWith("data: "))
        .map((e) => JSON.parse(e.slice(6)));
      expect(events[0]).toEqual({ type: "progress", done: 0, total: 2 });
      expect(events.at(-1)).toMatchObject({ type: "done", count: 2 });
      expect(await count("ip_assets", actors.firmB.orgId)).toBe(before + 2);

      // A second confirm (another tab) writes nothing more.
      const again = await requestAs(app, actors, "firmB", preview, form({ intent: "confirm" }));
      expect(again.status).toBe(409);
      expect(await count("ip_assets", actors.firmB.orgId)).toBe(before + 2);
    });

    it("names missing columns and stages nothing", async () => {
      const body = new FormData();
      body.append("file", new Blob(["名称,备注\n甲,乙\n"]), "bad.csv");
      const before = await t.db.selectFrom("asset_imports").select("id").execute();
      const res = await requestAs(app, actors, "firmA", "/firm/assets/import", {
        method: "POST",
        body,
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("缺少必需的列：类别、申请号/注册号、法律状态");
      const after = await t.db.selectFrom("asset_imports").select("id").execute();
      expect(after.length).toBe(before.length);
    });
  });
});
