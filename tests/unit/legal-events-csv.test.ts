import { describe, expect, it } from "vitest";
import { toCsv } from "../../app/domain/csv";
import {
  legalEventTemplateRows,
  normaliseAssetNumber,
  parseLegalEventCsv,
  parseLegalEventType,
} from "../../app/domain/servicing/legal-events";

const TODAY = "2026-12-06";

describe("legal-status events by CSV", () => {
  it("reads the Chinese words a status export uses for each event", () => {
    expect(parseLegalEventType("无效宣告请求")).toBe("invalidation_request");
    expect(parseLegalEventType("宣告无效")).toBe("invalidated");
    expect(parseLegalEventType(" 未缴年费终止 ")).toBe("lapse");
    expect(parseLegalEventType("恢复权利")).toBe("restoration");
    expect(parseLegalEventType("License")).toBe("licence");
    expect(parseLegalEventType("质押")).toBeNull();
  });

  it("stores a patent number however it was typed, a trademark number without spaces", () => {
    expect(normaliseAssetNumber("ZL 2021 1034 5678.3")).toBe("202110345678.3");
    expect(normaliseAssetNumber(" 1234 5678 ")).toBe("12345678");
  });

  it("accepts the template with its examples removed and real lines added", () => {
    const rows = [
      ...legalEventTemplateRows(),
      ["ZL202110345678.3", "宣告无效", "2026/3/5", "2026年3月20日", "复审决定"],
      ["12345678", "许可", "20260401", "", ""],
    ];
    const parsed = parseLegalEventCsv(toCsv(rows), TODAY);
    expect(parsed).toEqual({
      ok: true,
      problems: [],
      rows: [
        {
          line: 4,
          number: "202110345678.3",
          eventType: "invalidated",
          eventDate: "2026-03-05",
          noticeDate: "2026-03-20",
          note: "复审决定",
        },
        {
          line: 5,
          number: "12345678",
          eventType: "licence",
          eventDate: "2026-04-01",
          noticeDate: null,
          note: null,
        },
      ],
    });
  });

  it("names the line and column of every bad cell", () => {
    const text = toCsv([
      ["号码", "事件", "事件日期", "公告日"],
      ["", "质押", "2026-13-01", ""],
      ["12345678", "失效", "2027-01-01", ""],
      ["12345678", "失效", "2026-05-01", "2026-04-01"],
      ["12345678", "恢复", "2026-06-01", ""],
    ]);
    const parsed = parseLegalEventCsv(text, TODAY);
    if (!parsed.ok) throw new Error("file refused");
    expect(parsed.problems.map((p) => [p.line, p.field, p.code])).toEqual([
      [2, "number", "required"],
      [2, "eventType", "bad_event"],
      [2, "eventDate", "bad_date"],
      [3, "eventDate", "future_date"],
      [4, "noticeDate", "notice_before_event"],
    ]);
    expect(parsed.rows.map((r) => r.line)).toEqual([5]);
  });

  it("refuses a file without the required columns, an empty one and a broken quote", () => {
    expect(parseLegalEventCsv("号码,备注\r\n1,2\r\n", TODAY)).toEqual({
      ok: false,
      problem: { code: "missing_columns", columns: ["eventType", "eventDate"] },
    });
    expect(parseLegalEventCsv(toCsv(legalEventTemplateRows()), TODAY)).toEqual({
      ok: false,
      problem: { code: "empty" },
    });
    expect(parseLegalEventCsv('号码,事件,事件日期\r\n"1,失效,2026-01-01\r\n', TODAY)).toMatchObject(
      { ok: false, problem: { code: "syntax" } },
    );
  });
});
