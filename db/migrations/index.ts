import type { Migration } from "kysely";
import * as m001 from "./2026_11_27_001_foundation";
import * as m002 from "./2026_11_27_002_ip_assets";
import * as m003 from "./2026_11_27_003_products_requests";
import * as m004 from "./2026_11_27_004_workflow_ledger";
import * as m005 from "./2026_11_27_005_asset_imports";
import * as m007 from "./2026_11_27_007_matching_prefilter";
import * as m008 from "./2026_11_27_008_disbursement_rollups";
import * as m011 from "./2026_12_05_011_accounts";
import * as m013 from "./2026_12_05_013_loan_servicing";
import * as m014 from "./2026_12_05_014_risk_sharing";
import * as m011b from "./2026_12_06_011b_two_factor";
import * as m011c from "./2026_12_06_011c_team_and_mail";
import * as m012c from "./2026_12_06_012c_valuation_basis_date";
import * as m014e from "./2026_12_06_014e_disposal_sale";
import * as m015e from "./2026_12_06_015e_review_indexes";
import * as m016e from "./2026_12_06_016e_repayment_principal_days";
import * as m017e from "./2026_12_07_017e_application_support";
import * as m018e from "./2026_12_07_018e_disbursement_after_reversal";
import * as m019p from "./2026_12_07_019p_pipeline_counts";
import * as m020r from "./2026_12_07_020r_review_snapshots";

/**
 * The ordered list of migrations. Listed statically (not read from the file system) so the same
 * set runs from scripts, tests and the built server. Add new files here in name order.
 */
export const migrations: Record<string, Migration> = {
  "2026_11_27_001_foundation": m001,
  "2026_11_27_002_ip_assets": m002,
  "2026_11_27_003_products_requests": m003,
  "2026_11_27_004_workflow_ledger": m004,
  "2026_11_27_005_asset_imports": m005,
  "2026_11_27_007_matching_prefilter": m007,
  "2026_11_27_008_disbursement_rollups": m008,
  "2026_12_05_011_accounts": m011,
  "2026_12_05_013_loan_servicing": m013,
  "2026_12_05_014_risk_sharing": m014,
  "2026_12_06_011b_two_factor": m011b,
  "2026_12_06_011c_team_and_mail": m011c,
  "2026_12_06_012c_valuation_basis_date": m012c,
  "2026_12_06_014e_disposal_sale": m014e,
  "2026_12_06_015e_review_indexes": m015e,
  "2026_12_06_016e_repayment_principal_days": m016e,
  "2026_12_07_017e_application_support": m017e,
  "2026_12_07_018e_disbursement_after_reversal": m018e,
  "2026_12_07_019p_pipeline_counts": m019p,
  "2026_12_07_020r_review_snapshots": m020r,
};
