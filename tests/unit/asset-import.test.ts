import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import {
  importTemplateRows,
  IMPORT_COLUMNS,
  IMPORT_HEADERS,
  mapHeaders,
  markListedRows,
  MAX_IMPORT_ROWS,
  parseImportFile,
  validateImportRecords,
} from "../../app/domain/asset-import";
import { CsvSyntaxError, parseCsv, toCsv } from "../../app/domain/csv";
import { makePatentNumber } from "../../app/domain/patent";
import { decodeUploadedText, encodeUtf8WithBom } from "../../app/utils/text-encoding.server";

const TODAY = "2025-06-15";
const HEADER = IMPORT_COLUMNS.map((c) => IMPORT_HEADERS[c][0]);

function csvOf(rows: Record<string, string>[]): string {
  return toCsv([HEADER, ...rows.map((r) => IMPORT_COLUMNS.map((c) => r[c] ?? ""))]);
}

function validate(text: string) {
  const file = parseImportFile(text);
  if (!file.ok) throw new Error(`file problem ${JSON.stringify(file.problem)}`);
  return validateImportRecords(file.header, file.records, TODAY);
}

const PATENT = {
  kind: "专利",
  number: "201710601862.3",
  title: "一种稀土永磁材料的制备方法",
  status: "授权",
  filingDate: "2017/7/21",
  grantDate: "2020-03-10",
  claimsCount: "10",
  coOwned: "否",
};
const MARK = {
  kind: "商标",
  number: "12345678",
  title: "草原鹿城",
  status: "注册",
  registrationDate: "2016-05-14",
  niceClass: "第29类",
  trademarkKind: "普通商标",
  wellKnown: "是",
};

describe("parseCsv", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks, and CRLF or LF", () => {
    const text = 'a,"b,1","say ""hi"""\r\n"multi\nline",x,\nlast,row,z';
    expect(parseCsv(text)).toEqual([
      { line: 1, cells: ["a", "b,1", 'say "hi"'] },
      { line: 2, cells: ["multi\nline", "x", ""] },
      { line: 4, cells: ["last", "row", "z"] },
    ]);
  });

  it("drops a BOM and reports an unclosed quote with its line", () => {
    expect(parseCsv("\uFEFFx,y\n")).toEqual([{ line: 1, cells: ["x", "y"] }]);
    expect(() => parseCsv('a\n"open,b\nc')).toThrow(CsvSyntaxError);
    try {
      parseCsv('a\n"open,b\nc');
    } catch (e) {
      expect((e as CsvSyntaxError).line).toBe(2);
    }
  });

  it("round-trips what toCsv writes", () => {
    const rows = [
      ["号码", "名称"],
      ["1", 'a "quoted", name'],
      [" padded ", "line\nbreak"],
    ];
    expect(parseCsv(toCsv(rows)).map((r) => r.cells)).toEqual(rows);
  });
});

describe("decodeUploadedText (UTF-8 with or without BOM, else GBK)", () => {
  const text = "类别,申请号/注册号,名称\r\n专利,201710601862.3,一种稀土永磁材料\r\n";

  it("reads UTF-8 without a BOM", () => {
    expect(decodeUploadedText(new TextEncoder().encode(text))).toEqual({
      text,
      encoding: "utf-8",
    });
  });

  it("reads UTF-8 with a BOM and strips it", () => {
    expect(decodeUploadedText(encodeUtf8WithBom(text))).toEqual({ text, encoding: "utf-8-bom" });
  });

  it("reads what Excel saves on a Chinese Windows (GBK)", () => {
    const gbk = iconv.encode(text, "gbk");
    // The bytes are not valid UTF-8, which is how the encoding is told apart.
    expect(() => new TextDecoder("utf-8", { fatal: true }).decode(gbk)).toThrow();
    expect(decodeUploadedText(gbk)).toEqual({ text, encoding: "gbk" });
  });

  it("treats pure ASCII as UTF-8 (both encodings agree on it)", () => {
    expect(decodeUploadedText(new TextEncoder().encode("a,b\n")).encoding).toBe("utf-8");
  });
});

describe("parseImportFile", () => {
  it("maps Chinese and English headers in any order and ignores unknown columns", () => {
    const h = mapHeaders(["名称", "Number", "备注", "类别", "法律状态（必填）"]);
    expect(h.columns).toMatchObject({ title: 0, number: 1, kind: 3, status: 4 });
    expect(h.ignored).toEqual(["备注"]);
  });

  it("refuses a file without the required columns, naming them", () => {
    expect(parseImportFile("名称,备注\nx,y\n")).toEqual({
      ok: false,
      problem: { code: "missing_columns", columns: ["kind", "number", "status"] },
    });
  });

  it("refuses an empty file and one with only the header and examples", () => {
    expect(parseImportFile("")).toEqual({ ok: false, problem: { code: "empty" } });
    expect(parseImportFile(toCsv(importTemplateRows()))).toEqual({
      ok: false,
      problem: { code: "empty" },
    });
  });

  it("skips blank lines and '#' lines but keeps real line numbers", () => {
    const text = `${HEADER.join(",")}\n,,,,\n#示例\n${IMPORT_COLUMNS.map((c) => (PATENT as Record<string, string>)[c] ?? "").join(",")}\n`;
    const v = validate(text);
    expect(v.totalRows).toBe(1);
    expect(v.valid.map((r) => r.line)).toEqual([4]);
  });

  it(`refuses more than ${MAX_IMPORT_ROWS} rows`, () => {
    const line = IMPORT_COLUMNS.map((c) => (MARK as Record<string, string>)[c] ?? "").join(",");
    const text = `${HEADER.join(",")}\n${`${line}\n`.repeat(MAX_IMPORT_ROWS + 1)}`;
    expect(parseImportFile(text)).toMatchObject({ ok: false, problem: { code: "too_many_rows" } });
  });
});

describe("validateImportRecords", () => {
  it("imports a patent and a trademark from the words people type", () => {
    const v = validate(csvOf([PATENT, MARK]));
    expect(v.errors).toEqual([]);
    expect(v.valid).toMatchObject([
      {
        line: 2,
        assetKind: "patent",
        ipType: "invention",
        number: "201710601862.3",
        status: "granted",
        filingDate: "2017-07-21",
        claimsCount: 10,
        coOwned: false,
      },
      {
        line: 3,
        assetKind: "trademark",
        number: "12345678",
        status: "registered",
        niceClass: 29,
        trademarkKind: "ordinary",
        wellKnown: true,
        expiryDate: "2026-05-14",
      },
    ]);
  });

  it("reports each problem with its line and column, and keeps the good lines", () => {
    const v = validate(
      csvOf([
        PATENT,
        { ...PATENT, number: makePatentNumber(2017, 1, 601863), filingDate: "2018-01-01" },
        { ...PATENT, number: "201710601863.3" },
        { ...MARK, niceClass: "46", wellKnown: "maybe" },
        { ...PATENT, kind: "软著" },
      ]),
    );
    expect(v.totalRows).toBe(5);
    expect(v.valid.map((r) => r.line)).toEqual([2]);
    expect(v.errorRows).toBe(4);
    expect(v.errors.map((e) => `${e.line}:${e.field}:${e.problem.code}`)).toEqual([
      "3:filingDate:filing_year_mismatch",
      "4:number:patent_number",
      "5:wellKnown:boolean_invalid",
      "5:niceClass:nice_class_invalid",
      "6:kind:kind_invalid",
    ]);
  });

  it("names a number Excel turned into scientific notation", () => {
    const v = validate(csvOf([{ ...PATENT, number: "2.01711E+12" }]));
    expect(v.errors[0]).toMatchObject({ line: 2, field: "number" });
    expect(v.errors[0].problem.code).toBe("scientific_notation");
  });

  it("refuses a type word that disagrees with the number's type digit", () => {
    const v = validate(csvOf([{ ...PATENT, kind: "实用新型" }]));
    expect(v.errors.map((e) => e.problem.code)).toEqual(["kind_mismatch"]);
  });

  it("refuses a status it cannot read and says which word", () => {
    const v = validate(csvOf([{ ...PATENT, status: "很好" }]));
    expect(v.errors.map((e) => e.problem)).toEqual([
      { field: "status", code: "status_word_invalid", params: { value: "很好" } },
    ]);
  });

  it("makes the second line with the same number an error that points at the first", () => {
    const v = validate(csvOf([PATENT, MARK, { ...PATENT, number: "ZL2017106018623" }]));
    expect(v.valid.map((r) => r.line)).toEqual([2, 3]);
    expect(v.errors).toEqual([
      {
        line: 4,
        field: "number",
        problem: { field: "number", code: "duplicate_in_file", params: { line: 2 } },
      },
    ]);
  });

  it("reads a geographical-indication certification mark from the kind word", () => {
    const v = validate(csvOf([{ ...MARK, trademarkKind: "地理标志证明商标" }]));
    expect(v.valid[0]).toMatchObject({ trademarkKind: "certification", geoIndication: true });
  });

  it("moves rows already on the platform to the errors, saying whose they are only for the firm's own", () => {
    const other = makePatentNumber(2019, 2, 4242);
    const v = validate(
      csvOf([PATENT, MARK, { ...PATENT, number: other, filingDate: "2019-05-05" }]),
    );
    const marked = markListedRows(
      v,
      new Set(["patent:201710601862.3", `patent:${other}`]),
      new Set([`patent:${other}`]),
    );
    expect(marked.valid.map((r) => r.line)).toEqual([3]);
    expect(marked.errorRows).toBe(2);
    expect(marked.errors.map((e) => `${e.line}:${e.problem.code}`)).toEqual([
      "2:already_listed",
      "4:already_in_portfolio",
    ]);
  });
});
