import { describe, expect, it } from "vitest";
import {
  disposalFieldOf,
  listingProblems,
  saleProblems,
} from "../../../app/domain/risk-sharing/disposal";

const keys = (ms: { key: string }[]) => ms.map((m) => m.key);
const sale = {
  proceedsFen: 1,
  soldDate: "2026-12-01",
  listedDate: "2026-11-20",
  today: "2026-12-06",
};

describe("listing a defaulted loan's IP", () => {
  it("accepts an asking price above zero, with or without an appraised value", () => {
    expect(listingProblems({ askingFen: 1, appraisalFen: null })).toEqual([]);
    expect(listingProblems({ askingFen: 300_000_000, appraisalFen: 500_000_000 })).toEqual([]);
  });

  it("refuses an asking price of zero or below, and an appraised value of zero or below", () => {
    expect(keys(listingProblems({ askingFen: 0, appraisalFen: -1 }))).toEqual([
      "risk:validation.askingNotPositive",
      "risk:validation.appraisalNotPositive",
    ]);
    expect(keys(listingProblems({ askingFen: 1.5, appraisalFen: null }))).toEqual([
      "risk:validation.askingNotPositive",
    ]);
  });

  it("puts each refusal next to its field", () => {
    const [asking, appraisal] = listingProblems({ askingFen: -1, appraisalFen: 0 });
    expect(disposalFieldOf(asking)).toBe("asking");
    expect(disposalFieldOf(appraisal)).toBe("appraisal");
    expect(disposalFieldOf({ key: "risk:errors.alreadyListed", params: {} })).toBe("");
  });
});

describe("recording a sale", () => {
  it("accepts proceeds above zero on a day between the listing and today, both included", () => {
    expect(saleProblems(sale)).toEqual([]);
    expect(saleProblems({ ...sale, soldDate: sale.listedDate })).toEqual([]);
    expect(saleProblems({ ...sale, soldDate: sale.today })).toEqual([]);
  });

  it("refuses proceeds of zero or below", () => {
    expect(keys(saleProblems({ ...sale, proceedsFen: 0 }))).toEqual([
      "risk:validation.proceedsNotPositive",
    ]);
  });

  it("refuses a sale dated after today or before the listing", () => {
    const future = saleProblems({ ...sale, soldDate: "2026-12-07" });
    expect(keys(future)).toEqual(["risk:validation.soldInFuture"]);
    expect(disposalFieldOf(future[0])).toBe("soldDate");
    expect(keys(saleProblems({ ...sale, soldDate: "2026-11-19" }))).toEqual([
      "risk:validation.soldBeforeListed",
    ]);
  });
});
