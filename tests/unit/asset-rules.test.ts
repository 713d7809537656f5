import { describe, expect, it } from "vitest";
import {
  appraisalValidity,
  checkPatent,
  checkTrademark,
  displayAssetNumber,
  earliestRenewalDate,
  isInForce,
  normaliseDateInput,
  normaliseIpcClass,
  normaliseLocarnoClass,
  remainingYears,
  type PatentDraft,
  type TrademarkDraft,
} from "../../app/domain/asset";
import {
  neutralIndicators,
  valuationFirm,
  valuationRequestFor,
  type ValuationFormInputs,
} from "../../app/domain/asset-valuation";
import { makePatentNumber } from "../../app/domain/patent";
import { defaultValuationInputs } from "../../app/domain/valuation";

const TODAY = "2025-06-15";

const patent: PatentDraft = {
  number: "ZL 2017 1060 1862.3",
  title: "一种稀土永磁材料的制备方法",
  status: "granted",
  filingDate: "2017-07-21",
  grantDate: "2020-03-10",
  ipcClass: "h01f1/057",
  claimsCount: 10,
  coOwned: false,
};

function problems(d: PatentDraft) {
  const r = checkPatent(d, TODAY);
  if (r.ok) throw new Error("expected problems");
  return r.problems.map((p) => `${p.field}:${p.code}`);
}

describe("checkPatent", () => {
  it("normalises the number, derives the kind and computes the 20-year expiry of an invention", () => {
    const r = checkPatent(patent, TODAY);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      assetKind: "patent",
      ipType: "invention",
      number: "201710601862.3",
      expiryDate: "2037-07-21",
      ipcClass: "H01F 1/057",
      claimsCount: 10,
    });
  });

  it("refuses a wrong check digit on the number field and names the right one", () => {
    const r = checkPatent({ ...patent, number: "201710601862.4" }, TODAY);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      {
        field: "number",
        code: "patent_number",
        problem: { kind: "check_digit", expected: "3", actual: "4" },
      },
    ]);
  });

  it("requires the filing date to agree with the year in the number", () => {
    expect(problems({ ...patent, filingDate: "2018-01-02" })).toContain(
      "filingDate:filing_year_mismatch",
    );
  });

  it("lets a PCT national-phase application keep an earlier international filing date", () => {
    const pct = makePatentNumber(2019, 8, 12345); // PCT invention entering in 2019
    const r = checkPatent(
      { ...patent, number: pct, filingDate: "2017-11-30", grantDate: "2022-01-04" },
      TODAY,
    );
    expect(r.ok && r.value.ipType).toBe("invention");
    expect(r.ok && r.value.isPct).toBe(true);
  });

  it("gives a utility model 10 years and a design filed from 2021-06-01 15 years, before it 10", () => {
    const um = checkPatent(
      { ...patent, number: makePatentNumber(2016, 2, 1), filingDate: "2016-03-01" },
      TODAY,
    );
    expect(um.ok && um.value.expiryDate).toBe("2026-03-01");
    const design = { ...patent, claimsCount: null, ipcClass: "14-02", grantDate: "2022-01-04" };
    const late = checkPatent(
      { ...design, number: makePatentNumber(2021, 3, 7), filingDate: "2021-06-01" },
      TODAY,
    );
    expect(late.ok && late.value.expiryDate).toBe("2036-06-01");
    const early = checkPatent(
      { ...design, number: makePatentNumber(2021, 3, 8), filingDate: "2021-05-31" },
      TODAY,
    );
    expect(early.ok && early.value.expiryDate).toBe("2031-05-31");
    expect(early.ok && early.value.ipcClass).toBe("14-02");
  });

  it("needs a grant date for a granted patent and refuses one on a pending application", () => {
    expect(problems({ ...patent, grantDate: "" })).toEqual(["grantDate:grant_date_required"]);
    expect(problems({ ...patent, status: "pending" })).toEqual(["grantDate:grant_date_on_pending"]);
    const pending = checkPatent({ ...patent, status: "pending", grantDate: "" }, TODAY);
    expect(pending.ok && pending.value.grantDate).toBeNull();
  });

  it("refuses a grant before filing, dates in the future and impossible dates", () => {
    expect(problems({ ...patent, grantDate: "2017-01-01" })).toEqual([
      "grantDate:grant_before_filing",
    ]);
    expect(problems({ ...patent, grantDate: "2025-06-16" })).toEqual(["grantDate:date_future"]);
    expect(problems({ ...patent, filingDate: "2017-02-30" })).toContain("filingDate:date_invalid");
  });

  it("says the term has ended when a granted patent is past its expiry", () => {
    const old = { ...patent, number: makePatentNumber(2014, 2, 99), filingDate: "2014-05-01" };
    expect(problems({ ...old, grantDate: "2015-01-01" })).toEqual(["status:term_ended"]);
    expect(checkPatent({ ...old, grantDate: "2015-01-01", status: "expired" }, TODAY).ok).toBe(
      true,
    );
  });

  it("lists every missing field at once", () => {
    expect(problems({})).toEqual([
      "number:patent_number",
      "title:required",
      "status:required",
      "filingDate:required",
    ]);
  });

  it("refuses claims on a design, a bad IPC class and a silly claim count", () => {
    const d = {
      ...patent,
      number: makePatentNumber(2022, 3, 5),
      filingDate: "2022-02-02",
      grantDate: "2022-09-01",
    };
    expect(problems({ ...d, ipcClass: null })).toEqual(["claimsCount:claims_on_design"]);
    expect(problems({ ...patent, ipcClass: "Z99" })).toEqual(["ipcClass:ipc_invalid"]);
    expect(problems({ ...patent, claimsCount: 0 })).toEqual(["claimsCount:claims_invalid"]);
    expect(problems({ ...patent, claimsCount: Number.NaN })).toEqual([
      "claimsCount:claims_invalid",
    ]);
  });
});

const mark: TrademarkDraft = {
  number: "1234 5678",
  title: "草原鹿城",
  status: "registered",
  niceClass: 29,
  trademarkKind: "ordinary",
  registrationDate: "2016-05-14",
  renewals: 0,
};

describe("checkTrademark", () => {
  it("stores digits only and expires 10 years after registration", () => {
    const r = checkTrademark(mark, TODAY);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ number: "12345678", expiryDate: "2026-05-14", renewals: 0 });
  });

  it("extends the term by 10 years per recorded renewal", () => {
    const r = checkTrademark({ ...mark, registrationDate: "2004-02-29", renewals: 2 }, TODAY);
    // 2004-02-29 + 30 years → 2034-02-28 (no Feb 29 in 2034)
    expect(r.ok && r.value.expiryDate).toBe("2034-02-28");
  });

  it("refuses a renewal recorded before the renewal window opened", () => {
    // The first renewal can be filed from 2025-05-14 (12 months before 2026-05-14).
    expect(earliestRenewalDate("2016-05-14", 1)).toBe("2025-05-14");
    const early = checkTrademark({ ...mark, registrationDate: "2016-07-01", renewals: 1 }, TODAY);
    expect(early.ok).toBe(false);
    expect(!early.ok && early.problems.map((p) => p.code)).toEqual(["renewals_too_early"]);
    expect(checkTrademark({ ...mark, renewals: 1 }, TODAY).ok).toBe(true);
  });

  it("refuses Nice class 46, a geographical indication on an ordinary mark and a letter in the number", () => {
    const r = checkTrademark(
      { ...mark, number: "12A4", niceClass: 46, geoIndication: true },
      TODAY,
    );
    expect(!r.ok && r.problems.map((p) => `${p.field}:${p.code}`)).toEqual([
      "number:trademark_number",
      "niceClass:nice_class_invalid",
      "geoIndication:gi_on_ordinary_mark",
    ]);
    expect(
      checkTrademark({ ...mark, trademarkKind: "certification", geoIndication: true }, TODAY).ok,
    ).toBe(true);
  });

  it("does not list a pending application and says a lapsed registration is not 'registered'", () => {
    const pending = checkTrademark({ ...mark, status: "pending" }, TODAY);
    expect(!pending.ok && pending.problems[0].code).toBe("status_invalid");
    const ended = checkTrademark({ ...mark, registrationDate: "2015-01-01" }, TODAY);
    expect(!ended.ok && ended.problems[0]).toMatchObject({
      field: "status",
      code: "registration_ended",
      params: { expiry: "2025-01-01" },
    });
  });
});

describe("portfolio helpers", () => {
  it("tells a valid appraisal (through its last day), an expired one and none apart", () => {
    expect(appraisalValidity("2025-06-15", TODAY)).toBe("valid");
    expect(appraisalValidity("2025-06-14", TODAY)).toBe("expired");
    expect(appraisalValidity(null, TODAY)).toBe("none");
  });

  it("computes remaining years as days ÷ 365.25 and never below 0", () => {
    // 2025-06-15 → 2026-06-15 is 365 days
    expect(remainingYears("2026-06-15", TODAY)).toBeCloseTo(365 / 365.25, 10);
    expect(remainingYears("2020-01-01", TODAY)).toBe(0);
  });

  it("counts only granted patents and registered marks before expiry as in force", () => {
    expect(isInForce("granted", "2030-01-01", TODAY)).toBe(true);
    expect(isInForce("granted", TODAY, TODAY)).toBe(false);
    expect(isInForce("pending", "2030-01-01", TODAY)).toBe(false);
    expect(isInForce("registered", "2030-01-01", TODAY)).toBe(true);
  });

  it("prints ZL before a patent right but not before an application or a trademark", () => {
    expect(displayAssetNumber("patent", "201710601862.3", "granted")).toBe("ZL201710601862.3");
    expect(displayAssetNumber("patent", "201710601862.3", "pending")).toBe("201710601862.3");
    expect(displayAssetNumber("trademark", "12345678", "registered")).toBe("12345678");
  });

  it("reads the date forms spreadsheets write", () => {
    expect(normaliseDateInput("2017/3/5")).toBe("2017-03-05");
    expect(normaliseDateInput("2017.03.05")).toBe("2017-03-05");
    expect(normaliseDateInput("2017年3月5日")).toBe("2017-03-05");
    expect(normaliseDateInput("20170305")).toBe("2017-03-05");
    expect(normaliseDateInput("2017-02-29")).toBeNull();
    expect(normaliseDateInput("5/3/2017")).toBeNull();
  });

  it("normalises IPC and Locarno classes", () => {
    expect(normaliseIpcClass("h01m 10/052")).toBe("H01M 10/052");
    expect(normaliseIpcClass("A01B")).toBe("A01B");
    expect(normaliseIpcClass("I01B")).toBeNull();
    expect(normaliseLocarnoClass("6-1")).toBe("06-01");
    expect(normaliseLocarnoClass("33-01")).toBeNull();
  });
});

describe("valuationRequestFor", () => {
  const facts = {
    ipType: "invention" as const,
    status: "granted",
    filingDate: "2017-07-21",
    expiryDate: "2037-07-21",
    wellKnown: false,
  };
  const firm = valuationFirm({ industry_section: "C", flag_high_tech: 1 });
  const d = defaultValuationInputs({ ipType: "invention" }, firm);
  const form: ValuationFormInputs = {
    year1RevenueFen: 500_000_000,
    growthBp: d.growthBp,
    royaltyRateBp: d.royaltyRateBp,
    discountRateBp: d.discountRateBp,
    taxRateBp: d.taxRateBp,
    attributionShareBp: d.attributionShareBp,
    economicLifeYears: d.economicLifeYears,
    indicators: null,
  };

  it("passes values equal to the industry defaults as defaults, and changed ones as entered", () => {
    expect(firm).toEqual({ industry: "C", highTech: true });
    expect(d.taxRateBp).toBe(1500);
    const r = valuationRequestFor(facts, firm, { ...form, royaltyRateBp: 450 }, TODAY);
    expect(r.assumptions).toEqual({ royaltyRateBp: 450 });
    expect(r.revenue).toEqual({ year1RevenueFen: 500_000_000 });
    expect(r.asset).toEqual({
      ipType: "invention",
      status: "granted",
      filingDate: "2017-07-21",
      expiry: "2037-07-21",
    });
  });

  it("hands the value-degree answers to a patent, never to a trademark", () => {
    const indicators = neutralIndicators("invention", 10, true);
    expect(indicators.coOwners).toBe(1);
    const r = valuationRequestFor(facts, firm, { ...form, indicators }, TODAY);
    expect(r.asset).toMatchObject({ indicators });
    const tm = valuationRequestFor(
      { ...facts, ipType: "trademark", status: "registered", filingDate: null, wellKnown: true },
      firm,
      { ...form, indicators },
      TODAY,
    );
    expect(tm.asset).toEqual({
      ipType: "trademark",
      status: "registered",
      expiry: "2037-07-21",
      wellKnown: true,
    });
  });

  it("values a firm without an industry with manufacturing's defaults", () => {
    expect(valuationFirm({ industry_section: null, flag_high_tech: 0 })).toEqual({
      industry: "C",
      highTech: false,
    });
  });
});
