import iconv from "iconv-lite";
import { beforeAll, describe, expect, it } from "vitest";
import { IMPORT_COLUMNS, IMPORT_HEADERS } from "../../app/domain/asset-import";
import { toCsv } from "../../app/domain/csv";
import { makePatentNumber } from "../../app/domain/patent";
import { buildUscc } from "../../app/domain/uscc";
import {
  cancelImport,
  commitImport,
  getImport,
  stageImport,
} from "../../app/models/asset-import.server";
import { createAsset, type FirmActor } from "../../app/models/asset.server";
import { UserFacingError } from "../../app/models/errors";
import { registerFirm } from "../../app/models/organisation.server";
import type { Db } from "../../app/utils/db.server";
import { encodeUtf8WithBom } from "../../app/utils/text-encoding.server";
import { todayInChina } from "../../app/utils/time";
import { testDbKind, useTestDb } from "../support/db";

const TODAY = todayInChina();
const HEADER = IMPORT_COLUMNS.map((c) => IMPORT_HEADERS[c][0]);
let seq = 0;

async function firm(db: Db): Promise<FirmActor> {
  const n = ++seq;
  const { orgId, userId } = await registerFirm(db, {
    companyName: `导入测试企业${n}有限公司`,
    uscc: buildUscc("150100", `MB${String(n).padStart(6, "0")}`),
    regionCode: "150100",
    industrySection: "I",
    flags: { highTech: false, specialised: false, techSme: true },
    contactName: `联系人${n}`,
    email: `import${n}@assets.test`,
    password: "assets-import-password",
  });
  return { orgId, userId };
}

type Row = Partial<Record<(typeof IMPORT_COLUMNS)[number], string>>;

function csv(rows: Row[]): string {
  return toCsv([HEADER, ...rows.map((r) => IMPORT_COLUMNS.map((c) => r[c] ?? ""))]);
}

/** Inventions filed 2010–2024 and marks registered 2017–2024, all valid, numbers unique per base. */
function generatedRows(count: number, base: number): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 10 < 7) {
      const year = 2010 + (i % 15);
      rows.push({
        kind: "专利",
        number: makePatentNumber(year, 1, base + i),
        title: `一种批量导入测试装置 ${i}`,
        status: "授权",
        filingDate: `${year}-03-15`,
        grantDate: `${year + 2}-01-10`,
        ipcClass: "G06F 16/00",
        claimsCount: String(1 + (i % 20)),
        coOwned: i % 13 === 0 ? "是" : "否",
      });
    } else {
      rows.push({
        kind: "商标",
        number: String(base * 10 + i),
        title: `草原品牌${i}`,
        status: "注册",
        registrationDate: `${2017 + (i % 8)}-06-0${1 + (i % 9)}`,
        niceClass: String(1 + (i % 45)),
        trademarkKind: "普通",
        wellKnown: "否",
      });
    }
  }
  return rows;
}

async function assetCount(db: Db, orgId?: number): Promise<number> {
  let q = db.selectFrom("ip_assets").select((eb) => eb.fn.countAll<number>().as("n"));
  if (orgId !== undefined) q = q.where("firm_org_id", "=", orgId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

describe(`CSV import of IP assets on ${testDbKind()}`, () => {
  const t = useTestDb();
  let a: FirmActor;
  let b: FirmActor;

  beforeAll(async () => {
    a = await firm(t.db);
    b = await firm(t.db);
  });

  it("imports 10,000 generated rows (UTF-8) in well under a minute", async () => {
    const firmC = await firm(t.db);
    const rows = generatedRows(10_000, 1_000_000);
    const bytes = utf8(csv(rows));
    const started = performance.now();
    const staged = await stageImport(t.db, firmC, { fileName: "10k.csv", bytes }, TODAY);
    const stagedMs = performance.now() - started;
    expect(staged.ok).toBe(true);
    if (!staged.ok) return;
    expect(staged.validation.errors).toEqual([]);
    expect(staged.validation.valid).toHaveLength(10_000);
    expect(await assetCount(t.db, firmC.orgId)).toBe(0); // staging writes no asset

    const progress: number[] = [];
    const commitStarted = performance.now();
    const n = await commitImport(t.db, firmC, staged.importId, {
      onProgress: (p) => void progress.push(p.done),
    });
    const commitMs = performance.now() - commitStarted;
    console.log(
      `[bench] ${t.kind}: 10,000-row import — stage ${Math.round(stagedMs)} ms, commit ${Math.round(commitMs)} ms`,
    );
    expect(n).toBe(10_000);
    expect(await assetCount(t.db, firmC.orgId)).toBe(10_000);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(10_000);
    expect(progress).toHaveLength(1 + 10_000 / 500);
    expect(stagedMs + commitMs).toBeLessThan(30_000);
    const view = await getImport(t.db, firmC.orgId, staged.importId);
    expect(view).toMatchObject({ status: "imported", importedRows: 10_000, validRows: 10_000 });
    expect(view!.payload.valid).toEqual([]); // the staged copy is dropped once imported
    const kinds = await t.db
      .selectFrom("ip_assets")
      .select(["asset_kind", (eb) => eb.fn.countAll<number>().as("n")])
      .where("firm_org_id", "=", firmC.orgId)
      .groupBy("asset_kind")
      .orderBy("asset_kind")
      .execute();
    expect(kinds.map((k) => [k.asset_kind, Number(k.n)])).toEqual([
      ["patent", 7000],
      ["trademark", 3000],
    ]);
  });

  it("imports a GBK file as Excel on a Chinese Windows saves it", async () => {
    const text = csv([
      {
        kind: "发明",
        number: makePatentNumber(2018, 1, 555),
        title: "一种马铃薯淀粉加工工艺",
        status: "有效",
        filingDate: "2018年5月6日",
        grantDate: "2021/2/3",
      },
      {
        kind: "商标",
        number: "30123456",
        title: "察哈尔",
        status: "已注册",
        registrationDate: "2019.8.7",
        niceClass: "31",
        trademarkKind: "地理标志证明商标",
      },
    ]);
    const bytes = iconv.encode(text, "gbk");
    const staged = await stageImport(t.db, a, { fileName: "专利清单.csv", bytes }, TODAY);
    expect(staged.ok).toBe(true);
    if (!staged.ok) return;
    expect((await getImport(t.db, a.orgId, staged.importId))!.encoding).toBe("gbk");
    expect(staged.validation.errors).toEqual([]);
    expect(await commitImport(t.db, a, staged.importId)).toBe(2);
    const rows = await t.db
      .selectFrom("ip_assets")
      .select(["title", "filing_date", "trademark_kind", "geo_indication"])
      .where("firm_org_id", "=", a.orgId)
      .orderBy("id")
      .execute();
    expect(rows).toEqual([
      {
        title: "一种马铃薯淀粉加工工艺",
        filing_date: "2018-05-06",
        trademark_kind: null,
        geo_indication: 0,
      },
      { title: "察哈尔", filing_date: null, trademark_kind: "certification", geo_indication: 1 },
    ]);
  });

  it("reads UTF-8 with a BOM too", async () => {
    const text = csv(generatedRows(3, 2_000_000));
    const staged = await stageImport(
      t.db,
      b,
      { fileName: "bom.csv", bytes: encodeUtf8WithBom(text) },
      TODAY,
    );
    expect(staged.ok && staged.validation.valid.length).toBe(3);
    if (staged.ok)
      expect((await getImport(t.db, b.orgId, staged.importId))!.encoding).toBe("utf-8-bom");
  });

  describe("a file with one bad row", () => {
    const rows = generatedRows(5, 3_000_000);
    rows[2] = { ...rows[2], number: "201010600001.0" }; // wrong check digit on line 4

    it("writes nothing until the firm confirms, and nothing when it cancels", async () => {
      const before = await assetCount(t.db);
      const staged = await stageImport(
        t.db,
        a,
        { fileName: "bad.csv", bytes: utf8(csv(rows)) },
        TODAY,
      );
      expect(staged.ok).toBe(true);
      if (!staged.ok) return;
      expect(staged.validation.errors.map((e) => [e.line, e.field])).toEqual([[4, "number"]]);
      expect(staged.validation.valid).toHaveLength(4);
      expect(await assetCount(t.db)).toBe(before);
      await cancelImport(t.db, a, staged.importId);
      expect(await assetCount(t.db)).toBe(before);
      await expect(commitImport(t.db, a, staged.importId)).rejects.toMatchObject({
        key: "assets:import.errors.cancelled",
      });
      expect(await assetCount(t.db)).toBe(before);
    });

    it("writes exactly the valid rows when the firm confirms, once", async () => {
      const before = await assetCount(t.db);
      const staged = await stageImport(
        t.db,
        a,
        { fileName: "bad.csv", bytes: utf8(csv(rows)) },
        TODAY,
      );
      if (!staged.ok) throw new Error("staging failed");
      const results = await Promise.allSettled([
        commitImport(t.db, a, staged.importId),
        commitImport(t.db, a, staged.importId),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(UserFacingError);
      expect(await assetCount(t.db)).toBe(before + 4);
      const numbers = await t.db
        .selectFrom("ip_assets")
        .select("number")
        .where("number", "=", "201010600001.0")
        .execute();
      expect(numbers).toEqual([]);
    });
  });

  it("marks numbers already on the platform in the preview, without naming the holder", async () => {
    const rows = generatedRows(3, 4_000_000);
    // Firm B already lists the patent on line 2.
    const first = await stageImport(
      t.db,
      b,
      { fileName: "b.csv", bytes: utf8(csv([rows[0]])) },
      TODAY,
    );
    if (!first.ok) throw new Error("staging failed");
    await commitImport(t.db, b, first.importId);
    const staged = await stageImport(t.db, a, { fileName: "a.csv", bytes: utf8(csv(rows)) }, TODAY);
    if (!staged.ok) throw new Error("staging failed");
    expect(staged.validation.errors.map((e) => [e.line, e.problem.code])).toEqual([
      [2, "already_listed"],
    ]);
    expect(staged.validation.valid).toHaveLength(2);
  });

  it("rolls everything back when a number is listed between preview and confirm, then re-checks", async () => {
    const rows = generatedRows(4, 5_000_000);
    const staged = await stageImport(
      t.db,
      a,
      { fileName: "race.csv", bytes: utf8(csv(rows)) },
      TODAY,
    );
    if (!staged.ok) throw new Error("staging failed");
    // Someone else lists line 3's patent after the preview was made.
    const sneak = await stageImport(
      t.db,
      b,
      { fileName: "s.csv", bytes: utf8(csv([rows[1]])) },
      TODAY,
    );
    if (!sneak.ok) throw new Error("staging failed");
    await commitImport(t.db, b, sneak.importId);
    const before = await assetCount(t.db, a.orgId);
    await expect(commitImport(t.db, a, staged.importId)).rejects.toMatchObject({
      key: "assets:import.errors.changed_since_preview",
    });
    expect(await assetCount(t.db, a.orgId)).toBe(before);
    const view = (await getImport(t.db, a.orgId, staged.importId))!;
    expect(view).toMatchObject({ status: "staged", validRows: 3, errorRows: 1 });
    expect(view.payload.errors.map((e) => [e.line, e.problem.code])).toEqual([
      [3, "already_listed"],
    ]);
    expect(await commitImport(t.db, a, staged.importId)).toBe(3);
    expect(await assetCount(t.db, a.orgId)).toBe(before + 3);
  });

  it("keeps each firm's staged imports to itself", async () => {
    const staged = await stageImport(
      t.db,
      a,
      { fileName: "mine.csv", bytes: utf8(csv(generatedRows(1, 6_000_000))) },
      TODAY,
    );
    if (!staged.ok) throw new Error("staging failed");
    expect(await getImport(t.db, b.orgId, staged.importId)).toBeNull();
    await expect(commitImport(t.db, b, staged.importId)).rejects.toMatchObject({
      key: "assets:errors.not_found",
    });
    await expect(cancelImport(t.db, b, staged.importId)).rejects.toMatchObject({
      key: "assets:errors.not_found",
    });
    expect((await getImport(t.db, a.orgId, staged.importId))!.status).toBe("staged");
  });

  it("refuses a file without the required columns and writes nothing", async () => {
    const before = await t.db
      .selectFrom("asset_imports")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const r = await stageImport(t.db, a, { fileName: "x.csv", bytes: utf8("名称\n某某\n") }, TODAY);
    expect(r).toMatchObject({ ok: false, problem: { code: "missing_columns" } });
    const after = await t.db
      .selectFrom("asset_imports")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it("refuses a listed number even without going through the preview (unique key)", async () => {
    const rows = generatedRows(1, 7_000_000);
    const staged = await stageImport(t.db, a, { fileName: "k.csv", bytes: utf8(csv(rows)) }, TODAY);
    if (!staged.ok) throw new Error("staging failed");
    await createAsset(t.db, b, staged.validation.valid[0]);
    await expect(commitImport(t.db, a, staged.importId)).rejects.toMatchObject({
      key: "assets:import.errors.changed_since_preview",
    });
  });
});
