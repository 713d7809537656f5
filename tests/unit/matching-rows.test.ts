import { describe, expect, it } from "vitest";
import { addDays, addYearsClamped } from "../../app/domain/ip";
import type { LoanProductTerms } from "../../app/domain/product";
import type { LoanProduct } from "../../db/schema";
import {
  ALL_REGIONS_MASK,
  collateralColumns,
  expiryThreshold,
  firmProfileFromRequest,
  flagsMask,
  offeredAssetFromRow,
  productTermColumns,
  productTermsFromRow,
  regionBit,
  registrationThreshold,
  requestFirmColumns,
  UNKNOWN_REGISTRATION,
} from "../../app/domain/matching/rows";

const terms: LoanProductTerms = {
  id: 5,
  bankOrgId: 9,
  name: "测试",
  minAmountFen: 1_000_000,
  maxAmountFen: 50_000_000,
  minTermMonths: 6,
  maxTermMonths: 36,
  minRateBp: 365,
  maxRateBp: 500,
  pledgeRateBp: { invention: 3000, utility_model: 2000, design: 0, trademark: 4500 },
  acceptedIpTypes: ["invention", "utility_model", "trademark"],
  minRemainingYears: { invention: 5, utility_model: 3, design: 0, trademark: 0 },
  trademarkMinAgeYears: 3,
  regions: ["150200", "150600"],
  industries: ["C", "I"],
  requiredFlags: ["specialised"],
  requiresFormalAppraisal: false,
  quotaTotalFen: 10_000_000_000,
  quotaRemainingFen: 4_000_000_000,
  riskShare: { governmentBp: 3000, insurerBp: 1000, guarantorBp: 0 },
  interestSubsidyBp: 3000,
  repaymentMethods: ["equal_principal", "bullet"],
  active: true,
};

describe("the row ↔ engine encoding", () => {
  it("stores a product's terms in columns and reads the same terms back", () => {
    const row = {
      id: 5,
      bank_org_id: 9,
      name: "测试",
      description: "",
      ...productTermColumns(terms),
    } as unknown as LoanProduct;
    expect(row).toMatchObject({
      region_mask: 2 | 32,
      industry_mask: 4 | 256,
      ip_types_mask: 11,
      repayment_methods_mask: 2 | 8,
    });
    expect(productTermsFromRow(row)).toEqual(terms);
  });

  it("stores 'all regions' as the flag and the full mask", () => {
    expect(productTermColumns({ ...terms, regions: "all" })).toMatchObject({
      all_regions: 1,
      region_mask: ALL_REGIONS_MASK,
    });
  });

  it("copies a firm's region, industry and flags into a request and reads them back", () => {
    const cols = requestFirmColumns({
      region_code: "150900",
      industry_section: "M",
      flag_high_tech: 1,
      flag_specialised: 0,
      flag_tech_sme: 1,
    });
    expect(cols).toEqual({
      region_code: "150900",
      region_bit: regionBit("150900"),
      industry_bit: 2 ** 12,
      flags_mask: flagsMask(["high_tech", "tech_sme"]),
    });
    expect(
      firmProfileFromRequest({
        ...cols,
        id: 1,
        firm_org_id: 3,
        amount_fen: 1,
        term_months: 1,
        max_rate_bp: 1,
      }),
    ).toEqual({
      orgId: 3,
      regionCode: "150900",
      industrySection: "M",
      flags: ["high_tech", "tech_sme"],
    });
  });

  it("reads a firm without region or industry as having none", () => {
    const p = firmProfileFromRequest({
      ...requestFirmColumns({
        region_code: null,
        industry_section: null,
        flag_high_tech: 0,
        flag_specialised: 0,
        flag_tech_sme: 0,
      }),
      id: 1,
      firm_org_id: 3,
      amount_fen: 1,
      term_months: 1,
      max_rate_bp: 1,
    });
    expect(p).toEqual({ orgId: 3, regionCode: null, industrySection: null, flags: [] });
  });
});

describe("date thresholds drawn where the engine's year rules draw them", () => {
  it("requires at least one day of protection left even when the product asks for none", () => {
    expect(expiryThreshold("2026-11-27", 0)).toBe("2026-11-28");
    expect(registrationThreshold("2026-11-27", 3)).toBe("2023-11-27");
  });

  it("draws the expiry threshold at today + N calendar years (29 February → 28 February)", () => {
    // 2026-11-27 → 2031-11-27 is 1826 days (one 29 February): five calendar years.
    expect(expiryThreshold("2026-11-27", 5)).toBe("2031-11-27");
    expect(expiryThreshold("2028-02-29", 5)).toBe("2033-02-28");
    expect(expiryThreshold("2028-02-29", 4)).toBe("2032-02-29");
    expect(expiryThreshold("2028-02-28", 1)).toBe("2029-02-28");
  });

  it("draws the registration threshold at the latest day + N calendar years still reaches", () => {
    // 2020-11-27 → 2023-11-27 is 1095 days (no 29 February): three calendar years all the same.
    expect(registrationThreshold("2023-11-27", 3)).toBe("2020-11-27");
    // A mark registered on 29 February is a year old on 28 February of the next year.
    expect(registrationThreshold("2025-02-28", 1)).toBe("2024-02-29");
    expect(registrationThreshold("2024-02-29", 1)).toBe("2023-02-28");
    expect(registrationThreshold("2028-02-29", 4)).toBe("2024-02-29");
  });

  it("keeps exactly the registration dates the engine finds old enough", () => {
    const disagreements: string[] = [];
    for (let i = 0; i < 2 * 366; i += 3) {
      const today = addDays("2027-12-01", i);
      for (const years of [1, 3]) {
        for (let offset = -3; offset <= 3; offset++) {
          const registered = addDays(addYearsClamped(today, -years), offset);
          const a = offeredAssetFromRow(
            {
              id: 1,
              ip_type: "trademark",
              title: "t",
              number: "n",
              status: "registered",
              expiry_date: "2040-01-01",
              registration_date: registered,
              formal_value_fen: null,
              formal_valid_until: null,
              indicative_value_fen: null,
              locked_by: null,
            },
            today,
          );
          const engine = (a.wholeYearsRegistered ?? -1) >= years;
          if (registered <= registrationThreshold(today, years) !== engine) {
            disagreements.push(`${today} ${years}y ${registered}`);
          }
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it("keeps exactly the expiries the engine finds in force with the years required", () => {
    const disagreements: string[] = [];
    for (let i = 0; i < 2 * 366; i += 3) {
      const today = addDays("2027-12-01", i);
      for (const years of [0, 1, 3, 5, 8]) {
        for (let offset = -3; offset <= 3; offset++) {
          const expiry = addDays(addYearsClamped(today, years), offset);
          const a = offeredAssetFromRow(
            {
              id: 1,
              ip_type: "invention",
              title: "t",
              number: "n",
              status: "granted",
              expiry_date: expiry,
              registration_date: null,
              formal_value_fen: null,
              formal_valid_until: null,
              indicative_value_fen: null,
              locked_by: null,
            },
            today,
          );
          const engine = a.remainingYears > 0 && a.wholeYearsLeft >= years;
          if (expiry >= expiryThreshold(today, years) !== engine) {
            disagreements.push(`${today} ${years}y ${expiry}`);
          }
        }
      }
    }
    expect(disagreements).toEqual([]);
  });
});

describe("a request's collateral summary", () => {
  const asset = (over: Partial<Parameters<typeof collateralColumns>[1][number]>) => ({
    ip_type: "invention" as const,
    status: "granted",
    expiry_date: "2040-01-01",
    registration_date: null,
    formal_value_fen: 1_000_000,
    formal_valid_until: "2027-06-30",
    indicative_value_fen: 900_000,
    ...over,
  });

  it("bounds every offered asset from above and counts valid appraisals for the lower bound", () => {
    const c = collateralColumns("2026-11-27", [
      asset({}),
      // Expired appraisal: still in the upper bound, out of the lower-bound set.
      asset({
        formal_value_fen: 2_000_000,
        formal_valid_until: "2026-11-26",
        indicative_value_fen: 500_000,
      }),
      // Lapsed: never pledgeable, but it is offered.
      asset({ status: "lapsed", formal_value_fen: null, formal_valid_until: null }),
      asset({
        ip_type: "trademark",
        status: "registered",
        registration_date: null,
        expiry_date: "2031-01-01",
        formal_value_fen: 3_000_000,
      }),
    ]);
    expect(c).toMatchObject({
      offered_types_mask: 1 | 8,
      offered_invention_fen: 1_000_000 + 2_000_000 + 900_000,
      formal_invention_fen: 1_000_000,
      formal_invention_count: 1,
      formal_invention_valid_min: "2027-06-30",
      formal_trademark_fen: 3_000_000,
      formal_trademark_registered_max: UNKNOWN_REGISTRATION,
      formal_design_count: 0,
      formal_design_expiry_min: null,
    });
  });
});
