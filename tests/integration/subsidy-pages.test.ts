/**
 * Interest subsidy programmes over HTTP (SQLite and MariaDB, TEST_DB): the LPR as dated settings,
 * a programme's set-up refused field by field with nothing written, the claim queue decided by
 * the programme's government member with a confirmation, a payout refused from an exhausted
 * budget, and who sees what (a government member only its programmes, a firm only its own claims).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ACTOR_PASSWORD, loginCookie, requestAs, useActors } from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import {
  addAsset,
  addProduct,
  countRows,
  driveTo,
  newApplication,
  type DealWorld,
} from "../support/applications";
import { useAppServer } from "../support/http";
import { getApplicationRow } from "../../app/models/application.server";
import { hashPassword } from "../../app/utils/password.server";
import { nowInstant, todayInChina } from "../../app/utils/time";

const TODAY = todayInChina();
const YEAR = TODAY.slice(0, 4);

describe(`subsidy pages over HTTP (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let w: DealWorld;
  /** Cookies of a second government member and of an insurer (alliance members too). */
  let otherGov = "";
  let insurer = "";
  let entry = 0;

  const post = (cookieOf: Parameters<typeof requestAs>[2], path: string, values: object) =>
    requestAs(app, actors, cookieOf, path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(
        Object.entries(values).flatMap(([k, v]) =>
          Array.isArray(v) ? v.map((x) => [k, String(x)]) : [[k, String(v)]],
        ),
      ).toString(),
    });
  const getAs = (cookie: string, path: string) => app.fetch(path, { headers: { cookie } });
  const count = (table: "subsidy_programmes" | "subsidy_payouts" | "lpr_settings") =>
    countRows(t.db, table);

  async function member(kind: "government" | "insurer", name: string): Promise<string> {
    const o = await t.db
      .insertInto("organisations")
      .values({
        kind: "alliance",
        alliance_kind: kind,
        name,
        uscc: null,
        region_code: null,
        industry_section: null,
        created_at: nowInstant(),
      })
      .executeTakeFirstOrThrow();
    const email = `${kind}-${Number(o.insertId)}@subsidy.test`;
    await t.db
      .insertInto("users")
      .values({
        org_id: Number(o.insertId),
        email,
        password_hash: await hashPassword(ACTOR_PASSWORD),
        role: "alliance",
        display_name: name,
        created_at: nowInstant(),
      })
      .executeTakeFirstOrThrow();
    return loginCookie(app, email);
  }

  /** A loan of firm A disbursed at the start of the year, with interest paid twice. */
  async function loanWithInterest(): Promise<number> {
    const id = await newApplication(t.db, w, {
      assetIds: [await addAsset(t.db, w.firmA.orgId, { valueFen: 100_000_000 })],
      amountFen: 10_000_000,
    });
    await driveTo(t.db, w, id, "disbursed", { valueDate: `${YEAR}-01-02` });
    const a = (await getApplicationRow(t.db, id))!;
    for (const [date, interestFen] of [
      [`${YEAR}-02-01`, 100_000],
      [`${YEAR}-03-01`, 100_000],
    ] as const) {
      await t.db
        .insertInto("repayment_entries")
        .values({
          application_id: id,
          entry_type: "repayment",
          kind: "scheduled",
          idempotency_key: `subsidy-pages-${id}-${++entry}`,
          reverses_entry_id: null,
          value_date: date,
          month: date.slice(0, 7),
          principal_fen: 0,
          interest_fen: interestFen,
          region_code: a.region_code,
          bank_org_id: a.bank_org_id,
          firm_org_id: a.firm_org_id,
          ip_type: "invention",
          reason: null,
          created_by: w.bankX.userId,
          created_at: nowInstant(),
        } as never)
        .execute();
    }
    return id;
  }

  const valid = {
    name: "包头市知识产权质押贷款贴息",
    share: "50",
    lprMultiple: "1.5",
    perFirmYearCap: "30万",
    budget: "1000万",
    windowStart: `${YEAR}-01-01`,
    windowEnd: `${Number(YEAR) + 1}-12-31`,
  };

  async function createdProgramme(values: object = {}): Promise<number> {
    const res = await post("alliance", "/subsidies/new", { ...valid, ...values });
    expect(res.status).toBe(302);
    const m = /^\/subsidies\/(\d+)\?created=1$/.exec(res.headers.get("location") ?? "");
    expect(m).not.toBeNull();
    return Number(m![1]);
  }

  async function fileClaim(programmeId: number, applicationId: number): Promise<number> {
    const res = await post("firmA", "/firm/subsidies", {
      intent: "claim",
      programmeId,
      applicationId,
      key: crypto.randomUUID(),
    });
    if (res.status !== 200)
      throw new Error(`claim refused: ${/role="alert">([^<]*)/.exec(await res.text())?.[1]}`);
    const claim = await t.db
      .selectFrom("subsidy_claims")
      .select("id")
      .where("programme_id", "=", programmeId)
      .where("application_id", "=", applicationId)
      .executeTakeFirstOrThrow();
    return claim.id;
  }

  beforeAll(async () => {
    const party = (a: { userId: number; orgId: number }) => ({ userId: a.userId, orgId: a.orgId });
    w = {
      firmA: party(actors.firmA),
      firmB: party(actors.firmB),
      bankX: party(actors.bankX),
      bankX2: party(actors.bankX),
      bankY: party(actors.bankY),
      admin: party(actors.admin),
      productX: await addProduct(t.db, actors.bankX.orgId, actors.bankX.userId),
      productY: await addProduct(t.db, actors.bankY.orgId, actors.bankY.userId),
    };
    otherGov = await member("government", "赤峰市市场监督管理局");
    insurer = await member("insurer", "测试财产保险");
  });

  it("keeps the LPR as dated settings in % with the unit shown, refusing a bad rate and writing nothing", async () => {
    const before = await count("lpr_settings");
    const bad = await post("alliance", "/subsidies/lpr", {
      effectiveDate: "2024-10-21",
      rate: "abc",
    });
    expect(bad.status).toBe(400);
    const high = await post("admin", "/subsidies/lpr", { effectiveDate: "2024-10-21", rate: "45" });
    expect(high.status).toBe(400);
    expect(await high.text()).toContain("LPR 45.00% 不在合理范围内");
    expect(await count("lpr_settings")).toBe(before);

    const a = await post("alliance", "/subsidies/lpr", {
      effectiveDate: "2024-10-21",
      rate: "3.10",
    });
    expect(a.status).toBe(302);
    const b = await post("admin", "/subsidies/lpr", { effectiveDate: "2025-05-20", rate: "3.00%" });
    expect(b.status).toBe(302);
    const page = await (await requestAs(app, actors, "alliance", "/subsidies/lpr")).text();
    expect(page).toContain("3.10%");
    expect(page).toContain("310 bp");
    expect(page).toContain("年利率 %");
    const audits = await t.db
      .selectFrom("audit_log")
      .select("entity_id")
      .where("action", "=", "lpr.set")
      .execute();
    expect(audits.map((x) => String(x.entity_id))).toEqual(
      expect.arrayContaining(["2024-10-21", "2025-05-20"]),
    );
    // An insurer is an alliance member but sets no LPR.
    expect((await getAs(insurer, "/subsidies/lpr")).status).toBe(403);
  });

  it("refuses a programme's bad rules next to their fields and writes nothing", async () => {
    const before = await count("subsidy_programmes");
    const cases: [object, string][] = [
      [{ share: "120" }, "贴息比例须大于 0% 且不超过 100%"],
      [{ share: "0" }, "贴息比例须大于 0% 且不超过 100%"],
      [{ perFirmYearCap: "-5" }, "上限须大于零"],
      [{ budget: "0" }, "预算须大于零"],
      [{ lprMultiple: "0" }, "LPR 倍数须大于零"],
      [{ windowEnd: `${Number(YEAR) - 1}-12-31` }, "早于开始日"],
      [{ regions: ["999999"] }, "不认识的盟市"],
      [{ name: "" }, "项目名称"],
      [{ share: "abc" }, "请输入贴息比例"],
    ];
    for (const [over, text] of cases) {
      const res = await post("alliance", "/subsidies/new", { ...valid, ...over });
      expect(res.status, JSON.stringify(over)).toBe(400);
      expect(await res.text(), JSON.stringify(over)).toContain(text);
    }
    // Neither a firm nor an insurer sets up a programme.
    expect((await post("firmA", "/subsidies/new", valid)).status).toBe(403);
    expect((await getAs(insurer, "/subsidies/new")).status).toBe(403);
    const res = await app.fetch("/subsidies/new", {
      method: "POST",
      headers: {
        cookie: insurer,
        origin: app.baseURL,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(valid).toString(),
    });
    expect(res.status).toBe(403);
    expect(await count("subsidy_programmes")).toBe(before);
  });

  it("sets up a programme whose page shows budget, paid and remainder, to its own member only", async () => {
    const id = await createdProgramme({
      regions: ["150200", "150600"],
      flags: ["high_tech"],
      productIds: [w.productX],
    });
    const row = await t.db
      .selectFrom("subsidy_programmes")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      share_bp: 5000,
      lpr_multiple_cap_bp: 15_000,
      region_codes: "150200,150600",
      required_flags: "high_tech",
      product_ids: String(w.productX),
      owner_org_id: actors.alliance.orgId,
    });
    expect(Number(row.per_firm_year_cap_fen)).toBe(30_000_000);
    expect(Number(row.budget_fen)).toBe(1_000_000_000);
    const page = await (await requestAs(app, actors, "alliance", `/subsidies/${id}`)).text();
    expect(page).toContain('data-testid="programme-budget">10,000,000.00 元<');
    expect(page).toContain("包头市");
    // Another government member is told it does not exist, and does not see it listed.
    expect((await getAs(otherGov, `/subsidies/${id}`)).status).toBe(404);
    const list = await (await getAs(otherGov, "/subsidies")).text();
    expect(list).not.toContain(`/subsidies/${id}"`);
    const own = await (await requestAs(app, actors, "alliance", "/subsidies")).text();
    expect(own).toContain(`/subsidies/${id}"`);
    expect((await requestAs(app, actors, "admin", `/subsidies/${id}`)).status).toBe(200);
  });

  it("has the government member approve and reject claims with a confirmation; payouts are entries", async () => {
    const programme = await createdProgramme({ lprMultiple: "" });
    const loan1 = await loanWithInterest();
    const loan2 = await loanWithInterest();
    const c1 = await fileClaim(programme, loan1);
    const c2 = await fileClaim(programme, loan2);
    // 2 × 1,000 元 of interest at 50%, no basis cap: 1,000 元 each.
    const queue = await (
      await requestAs(app, actors, "alliance", `/subsidies/${programme}`)
    ).text();
    expect(queue).toContain(`data-testid="approve-${c1}"`);
    expect(queue).toContain("测试企业1有限公司");

    // Firm B sees none of firm A's claims; a firm may not decide.
    const firmB = await (await requestAs(app, actors, "firmB", "/firm/subsidies")).text();
    expect(firmB).not.toContain(`#${loan1}`);
    const firmA = await (await requestAs(app, actors, "firmA", "/firm/subsidies")).text();
    expect(firmA).toContain(`#${loan1}`);
    expect(
      (
        await post("firmA", `/subsidies/${programme}`, {
          intent: "approve",
          claimId: c1,
          confirm: "on",
        })
      ).status,
    ).toBe(403);
    // Another government member cannot decide it.
    const foreign = await app.fetch(`/subsidies/${programme}`, {
      method: "POST",
      headers: {
        cookie: otherGov,
        origin: app.baseURL,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ intent: "approve", claimId: String(c1), confirm: "on" }),
    });
    expect(foreign.status).toBe(404);

    const payoutsBefore = await count("subsidy_payouts");
    const unconfirmed = await post("alliance", `/subsidies/${programme}`, {
      intent: "approve",
      claimId: c1,
    });
    expect(unconfirmed.status).toBe(400);
    const noReason = await post("alliance", `/subsidies/${programme}`, {
      intent: "reject",
      claimId: c2,
      confirm: "on",
    });
    expect(noReason.status).toBe(400);
    expect(await count("subsidy_payouts")).toBe(payoutsBefore);

    const approve = await post("alliance", `/subsidies/${programme}`, {
      intent: "approve",
      claimId: c1,
      confirm: "on",
    });
    expect(approve.status).toBe(302);
    expect(approve.headers.get("location")).toBe(`/subsidies/${programme}?decided=${c1}`);
    const again = await post("alliance", `/subsidies/${programme}`, {
      intent: "approve",
      claimId: c1,
      confirm: "on",
    });
    expect(again.status).toBe(409);
    const reject = await post("alliance", `/subsidies/${programme}`, {
      intent: "reject",
      claimId: c2,
      reason: "材料不全",
      confirm: "on",
    });
    expect(reject.status).toBe(302);

    const payouts = await t.db
      .selectFrom("subsidy_payouts")
      .select(["claim_id", "amount_fen"])
      .where("programme_id", "=", programme)
      .execute();
    expect(payouts.map((p) => [p.claim_id, Number(p.amount_fen)])).toEqual([[c1, 100_000]]);
    const p = await t.db
      .selectFrom("subsidy_programmes")
      .select(["paid_fen", "committed_fen", "budget_fen"])
      .where("id", "=", programme)
      .executeTakeFirstOrThrow();
    expect([Number(p.paid_fen), Number(p.committed_fen)]).toEqual([100_000, 100_000]);
    const page = await (await requestAs(app, actors, "alliance", `/subsidies/${programme}`)).text();
    expect(page).toContain("驳回理由：材料不全");
    const figure = (k: string) =>
      new RegExp(`data-testid="programme-${k}">([^<]*)<`).exec(page)?.[1];
    expect([figure("paid"), figure("remaining")]).toEqual(["1,000.00 元", "9,999,000.00 元"]);
    const audits = await t.db
      .selectFrom("audit_log")
      .select("action")
      .where("entity_type", "=", "subsidy_claim")
      .where("entity_id", "in", [String(c1), String(c2)])
      .execute();
    expect(audits.map((a) => a.action).sort()).toEqual(
      [
        "subsidy_claim.approve",
        "subsidy_claim.file",
        "subsidy_claim.file",
        "subsidy_claim.reject",
      ].sort(),
    );
  });

  it("refuses a payout from an exhausted budget with a clear message, writing nothing", async () => {
    const programme = await createdProgramme({ budget: "1000", lprMultiple: "" });
    const loan = await loanWithInterest();
    const claim = await fileClaim(programme, loan);
    // The budget is spent elsewhere meanwhile (paid in full by earlier claims).
    await t.db
      .updateTable("subsidy_programmes")
      .set({ paid_fen: 100_000 })
      .where("id", "=", programme)
      .execute();
    const res = await post("alliance", `/subsidies/${programme}`, {
      intent: "approve",
      claimId: claim,
      confirm: "on",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("本项目预算已用完");
    const state = await t.db
      .selectFrom("subsidy_claims")
      .select("state")
      .where("id", "=", claim)
      .executeTakeFirstOrThrow();
    expect(state.state).toBe("pending");
    const payouts = await t.db
      .selectFrom("subsidy_payouts")
      .select("id")
      .where("claim_id", "=", claim)
      .execute();
    expect(payouts).toHaveLength(0);
  });
});
