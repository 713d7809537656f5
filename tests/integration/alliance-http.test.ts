import { beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../app/domain/csv";
import { pseudonymCode, pseudonymSecret } from "../../app/utils/pseudonym.server";
import { getProgressSummary } from "../../app/models/progress.server";
import { buildAllianceDataset, EXPECTED } from "../support/alliance";
import { requestAs, useActors } from "../support/authz";
import { useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

// The pages and downloads over HTTP on the hand-built history (tests/support/alliance.ts): CSV
// parsed back (BOM, headers, values), consent on every page, the bank officers' aggregation, and
// the public report against the ledger and the home page.

const PERIOD = `from=${EXPECTED.period.from}&to=${EXPECTED.period.to}`;
const BOM = "\uFEFF";
const STAGE_ZH: Record<string, string> = {
  requests: "融资需求",
  matched: "已匹配（已发起申请）",
  submitted: "已提交",
  approved: "已批准",
  registered: "已质押登记",
  disbursed: "已放款",
  repaid: "已结清",
  defaulted: "已违约",
};

describe("alliance review and report over HTTP", () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  const NAME_A = "测试企业1有限公司";
  const NAME_B = "测试企业2有限公司";

  beforeAll(async () => {
    const party = (k: "firmA" | "firmB" | "bankX" | "bankY" | "admin") => ({
      orgId: actors[k].orgId,
      userId: actors[k].userId,
    });
    await buildAllianceDataset(t.db, {
      firmA: party("firmA"),
      firmB: party("firmB"),
      bankX: party("bankX"),
      bankY: party("bankY"),
      admin: party("admin"),
    });
  });

  async function get(actor: Parameters<typeof requestAs>[2], path: string, lang?: string) {
    const res = await requestAs(app, actors, actor, path, {
      headers: lang ? { cookie: `zr_lng=${lang}` } : {},
    });
    return { res, text: await res.text() };
  }

  /** The body as sent: Response.text() would drop a leading BOM, so decode the bytes ourselves. */
  async function bodyWithBom(res: Response): Promise<string> {
    const bytes = new Uint8Array(await res.arrayBuffer());
    return new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  }

  async function csv(actor: Parameters<typeof requestAs>[2], path: string) {
    const res = await requestAs(app, actors, actor, path);
    const text = await bodyWithBom(res);
    expect(res.status, path).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="[^"]+\.csv"/);
    expect(text.startsWith(BOM), "UTF-8 BOM").toBe(true);
    const records = parseCsv(text).map((r) => r.cells);
    return { headers: records[0], rows: records.slice(1), text };
  }

  it("lets a firm turn on its consent from the profile page", async () => {
    const page = await get("firmA", "/firm/profile");
    expect(page.text).toContain(NAME_A);
    expect(page.text).toContain("允许向联盟成员展示企业名称");
    const res = await requestAs(app, actors, "firmA", "/firm/profile", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ show: "on", expected: "0" }).toString(),
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/firm/profile?saved=1");
    // The same stale form again: someone already changed it, nothing is written.
    const stale = await requestAs(app, actors, "firmA", "/firm/profile", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ show: "on", expected: "0" }).toString(),
    });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain("该记录已被他人修改");
    const org = await t.db
      .selectFrom("organisations")
      .select("consent_show_name")
      .where("id", "=", actors.firmA.orgId)
      .executeTakeFirstOrThrow();
    expect(org.consent_show_name).toBe(1);
  });

  it("exports the funnel as CSV with Chinese headers and the page's figures", async () => {
    const { headers, rows } = await csv("alliance", `/alliance/review.csv?${PERIOD}&table=funnel`);
    expect(headers).toEqual(["阶段", "笔数", "金额（元）"]);
    const yuan = (fen: number) => (fen / 100).toFixed(2);
    expect(rows).toEqual(
      Object.entries(EXPECTED.funnel).map(([stage, [count, fen]]) => [
        STAGE_ZH[stage],
        String(count),
        yuan(fen),
      ]),
    );
    expect(rows[5][0]).toBe("已放款");
    expect(rows[5][2]).toBe("600000.00");
  });

  it("exports the rows behind a figure, naming only the firm that consented", async () => {
    const { headers, rows, text } = await csv(
      "alliance",
      `/alliance/review/applications.csv?${PERIOD}&stage=submitted`,
    );
    expect(headers.slice(0, 3)).toEqual(["申请编号", "企业", "盟市"]);
    expect(rows).toHaveLength(7);
    const firms = rows.map((r) => r[1]);
    const alias = `企业#${pseudonymCode(actors.firmB.orgId, pseudonymSecret())}`;
    expect(firms.filter((f) => f === NAME_A)).toHaveLength(4);
    expect(firms.filter((f) => f === alias)).toHaveLength(3);
    expect(text).not.toContain(NAME_B);
    const amountCol = headers.indexOf("金额（元）");
    const sum = rows.reduce((s, r) => s + Math.round(Number(r[amountCol]) * 100), 0);
    expect(sum).toBe(EXPECTED.funnel.submitted[1]);
  });

  it("shows the same names and pseudonyms on the drill-down page, stable across requests", async () => {
    const path = `/alliance/review/applications?${PERIOD}&stage=submitted`;
    const first = await get("alliance", path);
    const second = await get("admin", path);
    const alias = `企业#${pseudonymCode(actors.firmB.orgId, pseudonymSecret())}`;
    for (const page of [first, second]) {
      expect(page.res.status).toBe(200);
      expect(page.text).toContain(NAME_A);
      expect(page.text).toContain(alias);
      expect(page.text).not.toContain(NAME_B);
      expect(page.text).toContain('data-total="7"');
    }
  });

  it("shows a bank officer their bank by name and the others only in total", async () => {
    const page = await get("bankX", `/alliance/review?${PERIOD}`);
    expect(page.res.status).toBe(200);
    expect(page.text).toContain("测试银行X");
    expect(page.text).toContain("其他银行（合计）");
    expect(page.text).not.toContain("测试银行Y");
    const { rows, text } = await csv("bankX", `/alliance/review.csv?${PERIOD}&table=banks`);
    expect(rows.map((r) => r[0])).toEqual(["测试银行X", "其他银行（合计）"]);
    expect(text).not.toContain("测试银行Y");
    const alliancePage = await get("alliance", `/alliance/review?${PERIOD}`);
    expect(alliancePage.text).toContain("测试银行Y");
  });

  it("serves stored figures above the live limit, with their time, the same as live (decision 025)", async () => {
    // The page without its scripts (they carry the loader data, with the time) and the time line.
    const figures = (html: string) =>
      html
        .replace(/<script[\s\S]*?<\/script>/g, "")
        .replace(/<p class="muted" data-testid="review-as-of">[\s\S]*?<\/p>/, "");
    for (const actor of ["alliance", "bankX"] as const) {
      const live = await get(actor, `/alliance/review?${PERIOD}`);
      expect(live.text).not.toContain('data-testid="review-as-of"');
      // Every byte as rendered: no NUL padding from the renderer (app/utils/react-stream.server.ts).
      expect(live.text).not.toContain("\u0000");
      process.env.ZR_REVIEW_LIVE_DEALS = "0";
      try {
        const stored = await get(actor, `/alliance/review?${PERIOD}`);
        expect(stored.res.status).toBe(200);
        expect(stored.text).toMatch(/统计于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}（北京时间）/);
        expect(stored.text).not.toContain("正在更新");
        expect(figures(stored.text)).toBe(figures(live.text));
      } finally {
        delete process.env.ZR_REVIEW_LIVE_DEALS;
      }
    }
  });

  it("gives a bank officer only their own bank's rows", async () => {
    const own = `bank=${actors.bankX.orgId}`;
    const { rows, headers, text } = await csv(
      "bankX",
      `/alliance/review/applications.csv?${PERIOD}&stage=submitted&${own}`,
    );
    expect(rows).toHaveLength(4);
    const bankCol = headers.indexOf("银行");
    expect(new Set(rows.map((r) => r[bankCol]))).toEqual(new Set(["测试银行X"]));
    expect(text).not.toContain("测试银行Y");
    // Without the bank filter the officer still gets only their bank's rows.
    const all = await csv("bankX", `/alliance/review/applications.csv?${PERIOD}&stage=submitted`);
    expect(all.rows).toHaveLength(4);
  });

  it("exports the drill-down in English with English headers", async () => {
    const res = await app.fetch(`/alliance/review/applications.csv?${PERIOD}&stage=disbursed`, {
      headers: { cookie: `${actors.alliance.cookie}; zr_lng=en` },
    });
    const text = await bodyWithBom(res);
    expect(text.startsWith(BOM)).toBe(true);
    const records = parseCsv(text).map((r) => r.cells);
    expect(records[0].slice(0, 2)).toEqual(["Application no.", "Firm"]);
    expect(records).toHaveLength(1 + 3);
    const alias = `Firm #${pseudonymCode(actors.firmB.orgId, pseudonymSecret())}`;
    expect(
      records
        .slice(1)
        .map((r) => r[1])
        .sort(),
    ).toEqual([NAME_A, NAME_A, alias].sort());
  });

  it("publishes report.json whose totals are the ledger's, to the fen", async () => {
    const { res, text } = await get("anonymous", "/report.json");
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const report = JSON.parse(text) as {
      asOf: string;
      totals: { amountFen: number; loans: number; firms: number };
      target: { financedFen: number };
      byRegion: { code: string; amountFen: number }[];
      byBank: { name: string; amountFen: number }[];
      commentary: { zh: string[]; en: string[] };
    };
    const ledger = await t.db
      .selectFrom("ledger_entries")
      .select((eb) => eb.fn.sum<number>("amount_fen").as("s"))
      .executeTakeFirstOrThrow();
    expect(report.totals.amountFen).toBe(Number(ledger.s));
    expect(report.totals.amountFen).toBe(EXPECTED.ledgerFen);
    expect(report.target.financedFen).toBe(EXPECTED.ledgerFen);
    expect(report.byRegion.reduce((s, r) => s + r.amountFen, 0)).toBe(EXPECTED.ledgerFen);
    expect(report.byBank.map((b) => b.name).sort()).toEqual(["测试银行X", "测试银行Y"]);
    expect(report.totals.loans).toBe(3);
    expect(report.commentary.zh.join("")).toContain("包头市");
    expect(new Date(report.asOf).getTime()).toBeGreaterThan(Date.now() - 120_000);
    expect(text).not.toContain(NAME_A);
    expect(text).not.toContain(NAME_B);
  });

  it("publishes report.csv with the same figures", async () => {
    const { headers, rows, text } = await csv("anonymous", "/report.csv");
    expect(headers).toEqual(["类别", "项目", "代码", "金额（元）", "笔数或家数", "比率（%）"]);
    const financed = rows.find((r) => r[1] === "累计放款")!;
    expect(financed[3]).toBe("600000.00");
    expect(financed[4]).toBe("3");
    const baotou = rows.find((r) => r[0] === "盟市" && r[2] === "150200")!;
    expect(baotou.slice(1, 5)).toEqual(["包头市", "150200", "400000.00", "2"]);
    expect(rows.find((r) => r[1] === "数据截至（北京时间）")![3]).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/,
    );
    expect(text).not.toContain(NAME_A);
  });

  it("renders the public report in Chinese and English with the home page's total", async () => {
    const zh = await get("anonymous", "/report");
    expect(zh.res.status).toBe(200);
    expect(zh.text).toContain("内蒙古知识产权金融发展报告");
    expect(zh.text).toContain("数据截至");
    expect(zh.text).not.toContain(NAME_A);
    const en = await get("anonymous", "/report", "en");
    expect(en.text).toContain("Inner Mongolia IP Finance Report");
    expect(en.text).toContain("Data as of");
    const home = await get("anonymous", "/");
    const fen = (html: string) =>
      /data-testid="financed-total"[^>]*data-fen="(\d+)"/.exec(html)?.[1];
    const fen2 = (html: string) =>
      /data-fen="(\d+)"[^>]*data-testid="financed-total"/.exec(html)?.[1];
    const homeFen = fen(home.text) ?? fen2(home.text);
    const reportFen = fen(zh.text) ?? fen2(zh.text);
    expect(homeFen).toBe(String(EXPECTED.ledgerFen));
    expect(reportFen).toBe(homeFen);
    expect((await getProgressSummary(t.db)).financedFen).toBe(EXPECTED.ledgerFen);
  });
});
