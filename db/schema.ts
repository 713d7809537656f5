import type { Generated, Insertable, Selectable, Updateable } from "kysely";

/**
 * Every table, as Kysely sees it. Instants are UTC strings 'YYYY-MM-DD HH:MM:SS.mmm'
 * (see app/utils/time.ts); calendar dates are 'YYYY-MM-DD'; money is integer fen; rates bp.
 */
export interface Database {
  organisations: OrganisationsTable;
  users: UsersTable;
  sessions: SessionsTable;
  invitations: InvitationsTable;
  login_attempts: LoginAttemptsTable;
  login_throttle: LoginThrottleTable;
  mail_queue: MailQueueTable;
  email_tokens: EmailTokensTable;
  user_totp: UserTotpTable;
  recovery_codes: RecoveryCodesTable;
  trusted_devices: TrustedDevicesTable;
  audit_log: AuditLogTable;
  settings: SettingsTable;
  disbursement_totals: DisbursementTotalsTable;
  ip_assets: IpAssetsTable;
  valuation_estimates: ValuationEstimatesTable;
  appraisal_orders: AppraisalOrdersTable;
  appraisal_order_items: AppraisalOrderItemsTable;
  appraisals: AppraisalsTable;
  stripe_events: StripeEventsTable;
  loan_products: LoanProductsTable;
  financing_requests: FinancingRequestsTable;
  financing_request_assets: FinancingRequestAssetsTable;
  applications: ApplicationsTable;
  application_assets: ApplicationAssetsTable;
  pledge_locks: PledgeLocksTable;
  pipeline_counts: PipelineCountsTable;
  review_snapshots: ReviewSnapshotsTable;
  application_comments: ApplicationCommentsTable;
  notifications: NotificationsTable;
  ledger_entries: LedgerEntriesTable;
  financed_firms: FinancedFirmsTable;
  disbursement_rollups: DisbursementRollupsTable;
  asset_imports: AssetImportsTable;
  loan_accounts: LoanAccountsTable;
  loan_schedule_rows: LoanScheduleRowsTable;
  repayment_entries: RepaymentEntriesTable;
  servicing_rollups: ServicingRollupsTable;
  loan_classification_overrides: LoanClassificationOverridesTable;
  loan_defaults: LoanDefaultsTable;
  collateral_fee_payments: CollateralFeePaymentsTable;
  legal_status_events: LegalStatusEventsTable;
  job_runs: JobRunsTable;
  reminders: RemindersTable;
  risk_pools: RiskPoolsTable;
  risk_pool_products: RiskPoolProductsTable;
  risk_pool_regions: RiskPoolRegionsTable;
  risk_pool_funders: RiskPoolFundersTable;
  risk_pool_entries: RiskPoolEntriesTable;
  risk_reservations: RiskReservationsTable;
  risk_claims: RiskClaimsTable;
  risk_claim_documents: RiskClaimDocumentsTable;
  risk_claim_payouts: RiskClaimPayoutsTable;
  risk_product_quotes: RiskProductQuotesTable;
  risk_policies: RiskPoliciesTable;
  lpr_settings: LprSettingsTable;
  subsidy_programmes: SubsidyProgrammesTable;
  subsidy_firm_years: SubsidyFirmYearsTable;
  subsidy_claims: SubsidyClaimsTable;
  subsidised_interest: SubsidisedInterestTable;
  subsidy_payouts: SubsidyPayoutsTable;
  disposals: DisposalsTable;
  disposal_interests: DisposalInterestsTable;
  disposal_distributions: DisposalDistributionsTable;
}

export type OrgKind = "firm" | "bank" | "valuer" | "alliance" | "platform";
export type AllianceKind = "bank" | "insurer" | "guarantor" | "valuer" | "government";
export type Role = "firm" | "bank_officer" | "valuer" | "alliance" | "admin";

export interface OrganisationsTable {
  id: Generated<number>;
  kind: OrgKind;
  alliance_kind: AllianceKind | null;
  name: string;
  uscc: string | null;
  region_code: string | null;
  industry_section: string | null;
  flag_high_tech: Generated<number>;
  flag_specialised: Generated<number>;
  flag_tech_sme: Generated<number>;
  contact_name: string | null;
  consent_show_name: Generated<number>;
  created_at: string;
  /** A valuer firm's filing number (资产评估机构备案编号), printed on its reports (migration 012c). */
  licence_number: string | null;
}
export type Organisation = Selectable<OrganisationsTable>;
export type NewOrganisation = Insertable<OrganisationsTable>;
export type OrganisationUpdate = Updateable<OrganisationsTable>;

export interface UsersTable {
  id: Generated<number>;
  org_id: number;
  email: string;
  password_hash: string;
  role: Role;
  display_name: string;
  created_at: string;
  disabled: Generated<number>;
  /** 0 only for a self-registered firm user who has not followed the verification link yet. */
  email_verified: Generated<number>;
  /** The language mails to this user are written in. */
  locale: Generated<string>;
  /** 1: no deal-event mails (essential mails — resets, verification — still go). */
  mail_opt_out: Generated<number>;
  /** 1: a bank officer who may invite and remove the bank's officers (every firm user may). */
  team_admin: Generated<number>;
  /** A valuer's registration number (资产评估师职业资格证书登记编号), offered at the next signing. */
  licence_number: string | null;
}
export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;

export interface SessionsTable {
  id: string;
  user_id: number;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: Generated<string | null>;
}

export interface InvitationsTable {
  id: Generated<number>;
  token_hash: string;
  email: string;
  org_id: number;
  role: Role;
  display_name: string;
  invited_by: number;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  revoked_at: Generated<string | null>;
  /** The language the invitation mail is written in; the new user's locale. */
  locale: Generated<string>;
  /** 1: the accepted user may manage their organisation's team. */
  team_admin: Generated<number>;
}
export type Invitation = Selectable<InvitationsTable>;

export interface LoginThrottleTable {
  throttle_key: string;
  failures: Generated<number>;
  last_failure_at: string;
  blocked_until: string;
  alerted_at: string | null;
}

export type MailStatus = "pending" | "sent" | "outbox";
export interface MailQueueTable {
  id: Generated<number>;
  to_email: string;
  template: string;
  locale: string;
  subject: string;
  body_text: string;
  status: MailStatus;
  attempts: Generated<number>;
  next_attempt_at: string;
  claimed_by: string | null;
  claimed_at: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  /** A notice's one-click unsubscribe URL (List-Unsubscribe, RFC 8058); null for essential mail. */
  list_unsubscribe: Generated<string | null>;
}

export type EmailTokenPurpose = "reset" | "verify";
export interface EmailTokensTable {
  id: Generated<number>;
  user_id: number;
  purpose: EmailTokenPurpose;
  token_hash: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** A user's TOTP secret (docs/decisions/014-two-factor.md); enabled once a code confirmed it. */
export interface UserTotpTable {
  user_id: number;
  secret_enc: string;
  created_at: string;
  enabled_at: string | null;
  last_step: number | null;
}

export interface RecoveryCodesTable {
  id: Generated<number>;
  user_id: number;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

export interface TrustedDevicesTable {
  id: Generated<number>;
  user_id: number;
  token_hash: string;
  created_at: string;
  expires_at: string;
  user_agent: string | null;
}

export interface LoginAttemptsTable {
  id: Generated<number>;
  email: string;
  ip: string;
  succeeded: number;
  attempted_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor_user_id: number | null;
  org_id: number | null;
  action: string;
  entity_type: string;
  entity_id: string;
  from_state: string | null;
  to_state: string | null;
  reason: string | null;
  detail_json: string | null;
  created_at: string;
}
export type AuditEntry = Selectable<AuditLogTable>;

export interface SettingsTable {
  name: string;
  value: string;
  updated_at: string;
}

export interface DisbursementTotalsTable {
  region_code: string;
  bank_org_id: number;
  ip_type: string;
  month: string;
  amount_fen: number;
  entry_count: number;
}

// ---- IP assets and valuation (migration 002) ----

export type IpType = "invention" | "utility_model" | "design" | "trademark";
export type AssetKind = "patent" | "trademark";

export interface IpAssetsTable {
  id: Generated<number>;
  firm_org_id: number;
  asset_kind: AssetKind;
  ip_type: IpType;
  number: string;
  title: string;
  /** patents: pending | granted | lapsed; trademarks: registered | expired */
  status: string;
  filing_date: string | null;
  grant_date: string | null;
  registration_date: string | null;
  expiry_date: string;
  ipc_class: string | null;
  claims_count: number | null;
  co_owned: Generated<number>;
  nice_class: number | null;
  trademark_kind: string | null;
  geo_indication: Generated<number>;
  well_known: Generated<number>;
  renewals: Generated<number>;
  indicative_value_fen: number | null;
  indicative_estimate_id: number | null;
  formal_value_fen: number | null;
  formal_valid_until: string | null;
  formal_appraisal_id: number | null;
  version: Generated<number>;
  created_at: string;
  updated_at: string;
}
export type IpAsset = Selectable<IpAssetsTable>;
export type NewIpAsset = Insertable<IpAssetsTable>;
export type IpAssetUpdate = Updateable<IpAssetsTable>;

export interface ValuationEstimatesTable {
  id: Generated<number>;
  asset_id: number;
  firm_org_id: number;
  created_by: number;
  created_at: string;
  valuation_date: string;
  low_fen: number;
  central_fen: number;
  high_fen: number;
  pvd: number | null;
  inputs_json: string;
  result_json: string;
}
export type ValuationEstimate = Selectable<ValuationEstimatesTable>;

export type AppraisalOrderStatus =
  "awaiting_payment" | "paid" | "in_progress" | "signed" | "payment_failed" | "cancelled";

export interface AppraisalOrdersTable {
  id: Generated<number>;
  firm_org_id: number;
  valuer_org_id: number;
  status: AppraisalOrderStatus;
  fee_fen: number;
  payment_mode: "stripe" | "offline";
  idempotency_key: string;
  stripe_session_id: string | null;
  stripe_payment_intent: string | null;
  created_by: number;
  created_at: string;
  paid_at: string | null;
  version: Generated<number>;
}
export type AppraisalOrder = Selectable<AppraisalOrdersTable>;

export interface AppraisalOrderItemsTable {
  order_id: number;
  asset_id: number;
  indicative_central_fen: number;
}

export interface AppraisalsTable {
  id: Generated<number>;
  order_id: number;
  asset_id: number;
  valuer_org_id: number;
  report_number: string;
  verification_token: string;
  low_fen: number;
  central_fen: number;
  high_fen: number;
  method: string;
  assumptions: string;
  report_text: string;
  signed_by: number;
  signed_at: string;
  signed_date: string;
  /** 评估基准日: the day the value is stated as of, on or before signed_date (migration 012c). */
  basis_date: string;
  /** basis_date + 12 months, inclusive (app/domain/valuation/formal.ts appraisalValidUntil). */
  valid_until: string;
  /** The signing valuer's registration number as printed on the report, copied at signing. */
  valuer_licence_number: string | null;
}
export type Appraisal = Selectable<AppraisalsTable>;

export interface StripeEventsTable {
  event_id: string;
  type: string;
  session_id: string;
  received_at: string;
}

// ---- Products and requests (migration 003) ----

export interface LoanProductsTable {
  id: Generated<number>;
  bank_org_id: number;
  name: string;
  description: string;
  min_amount_fen: number;
  max_amount_fen: number;
  min_term_months: number;
  max_term_months: number;
  min_rate_bp: number;
  max_rate_bp: number;
  pledge_rate_invention_bp: number;
  pledge_rate_utility_model_bp: number;
  pledge_rate_design_bp: number;
  pledge_rate_trademark_bp: number;
  /** bit 1 invention, 2 utility model, 4 design, 8 trademark */
  ip_types_mask: number;
  min_remaining_invention_years: Generated<number>;
  min_remaining_utility_model_years: Generated<number>;
  min_remaining_design_years: Generated<number>;
  min_remaining_trademark_years: Generated<number>;
  trademark_min_age_years: Generated<number>;
  all_regions: Generated<number>;
  region_mask: number;
  all_industries: Generated<number>;
  industry_mask: number;
  required_flags_mask: Generated<number>;
  requires_formal_appraisal: Generated<number>;
  quota_total_fen: number;
  quota_remaining_fen: number;
  risk_government_bp: Generated<number>;
  risk_insurer_bp: Generated<number>;
  risk_guarantor_bp: Generated<number>;
  interest_subsidy_bp: Generated<number>;
  /** Migration 013: bit 1 等额本息, 2 等额本金, 4 按月付息到期还本, 8 到期一次还本付息. */
  repayment_methods_mask: Generated<number>;
  /** Migration 013: collateral coverage below this (bp of outstanding) puts a loan on the watch list. */
  min_coverage_bp: Generated<number>;
  active: Generated<number>;
  version: Generated<number>;
  created_by: number;
  created_at: string;
  updated_at: string;
}
export type LoanProduct = Selectable<LoanProductsTable>;
export type NewLoanProduct = Insertable<LoanProductsTable>;
export type LoanProductUpdate = Updateable<LoanProductsTable>;

export interface FinancingRequestsTable {
  id: Generated<number>;
  firm_org_id: number;
  amount_fen: number;
  term_months: number;
  max_rate_bp: number;
  purpose: string;
  status: "open" | "closed";
  region_code: string;
  region_bit: number;
  industry_bit: number;
  flags_mask: number;
  offered_invention_fen: Generated<number>;
  offered_utility_model_fen: Generated<number>;
  offered_design_fen: Generated<number>;
  offered_trademark_fen: Generated<number>;
  version: Generated<number>;
  created_at: string;
  updated_at: string;
  // Collateral summary for the matching prefilter (migration 007; see its comment).
  offered_types_mask: Generated<number>;
  formal_invention_fen: Generated<number>;
  formal_invention_count: Generated<number>;
  formal_invention_expiry_min: string | null;
  formal_invention_valid_min: string | null;
  formal_utility_model_fen: Generated<number>;
  formal_utility_model_count: Generated<number>;
  formal_utility_model_expiry_min: string | null;
  formal_utility_model_valid_min: string | null;
  formal_design_fen: Generated<number>;
  formal_design_count: Generated<number>;
  formal_design_expiry_min: string | null;
  formal_design_valid_min: string | null;
  formal_trademark_fen: Generated<number>;
  formal_trademark_count: Generated<number>;
  formal_trademark_expiry_min: string | null;
  formal_trademark_valid_min: string | null;
  formal_trademark_registered_max: string | null;
}
export type FinancingRequest = Selectable<FinancingRequestsTable>;

export interface FinancingRequestAssetsTable {
  request_id: number;
  asset_id: number;
}

// ---- Workflow and ledger (migration 004) ----

export type ApplicationState =
  | "draft"
  | "submitted"
  | "under_review"
  | "approved"
  | "rejected"
  | "pledge_registered"
  | "disbursed"
  | "repaid"
  | "defaulted"
  | "withdrawn";

export interface ApplicationsTable {
  id: Generated<number>;
  request_id: number | null;
  product_id: number;
  firm_org_id: number;
  bank_org_id: number;
  region_code: string;
  industry_section: string | null;
  state: ApplicationState;
  version: Generated<number>;
  amount_fen: number;
  term_months: number;
  rate_bp: number;
  product_snapshot_json: string;
  /** The snapshot's support terms (migration 017e), set at creation like the snapshot itself. */
  support_government_bp: Generated<number>;
  support_insurer_bp: Generated<number>;
  support_guarantor_bp: Generated<number>;
  support_subsidy_bp: Generated<number>;
  approved_amount_fen: number | null;
  approved_rate_bp: number | null;
  approved_term_months: number | null;
  primary_ip_type: IpType | null;
  pledge_reg_number: string | null;
  pledge_reg_date: string | null;
  disbursed_amount_fen: number | null;
  disbursed_date: string | null;
  closed_date: string | null;
  reject_reason: string | null;
  created_at: string;
  submitted_at: string | null;
  review_started_at: string | null;
  approved_at: string | null;
  registered_at: string | null;
  disbursed_at: string | null;
  closed_at: string | null;
  updated_at: string;
  /** Migration 013: chosen at approval; null on older deals (served as 等额本息). */
  repayment_method: RepaymentMethodCode | null;
}
export type Application = Selectable<ApplicationsTable>;

export interface ApplicationAssetsTable {
  application_id: number;
  asset_id: number;
  ip_type: IpType;
  value_fen: number;
  pledge_rate_bp: number;
}

/** The bank pipeline's stored counts per product (migration 019p, decision 024). */
export interface PipelineCountsTable {
  product_id: number;
  as_of_day: string | null;
  product_version: number | null;
  ready: Generated<number>;
  needs_appraisal: Generated<number>;
  near_miss: Generated<number>;
  computed_at: string | null;
  compute_ms: number | null;
  refresh_started_at: string | null;
}

/** The alliance review's stored figures (migration 020r, decision 025). */
export interface ReviewSnapshotsTable {
  /** sha256 of the scope and the canonical filters. */
  snapshot_key: string;
  /** "all", or "bank:<id>" for a bank officer's view. */
  scope: string;
  filters_json: string;
  figures_json: string | null;
  data_version: string | null;
  computed_at: string | null;
  compute_ms: number | null;
  refresh_started_at: string | null;
}

export interface PledgeLocksTable {
  asset_id: number;
  application_id: number;
  locked_at: string;
}

export interface ApplicationCommentsTable {
  id: Generated<number>;
  application_id: number;
  author_user_id: number;
  author_org_id: number;
  kind: "comment" | "document_request";
  body: string;
  created_at: string;
}

export interface NotificationsTable {
  id: Generated<number>;
  user_id: number;
  kind: string;
  params_json: string;
  link: string | null;
  created_at: string;
  read_at: string | null;
}

export interface LedgerEntriesTable {
  id: Generated<number>;
  entry_type: "disbursement" | "reversal";
  application_id: number;
  /** = application_id on the application's first disbursement; NULL otherwise (unique). */
  disbursement_key: number | null;
  reverses_entry_id: number | null;
  /** On a disbursement after a reversal: that reversal (unique; migration 018e). */
  after_reversal_id: number | null;
  amount_fen: number;
  value_date: string;
  month: string;
  region_code: string;
  bank_org_id: number;
  firm_org_id: number;
  ip_type: IpType;
  reason: string | null;
  created_by: number;
  created_at: string;
}
export type LedgerEntry = Selectable<LedgerEntriesTable>;

export interface FinancedFirmsTable {
  firm_org_id: number;
  disbursement_count: number;
  first_value_date: string;
}

// ---- Staged CSV imports of IP assets (migration 005) ----

export type AssetImportStatus = "staged" | "imported" | "cancelled";

export interface AssetImportsTable {
  id: Generated<number>;
  firm_org_id: number;
  created_by: number;
  created_at: string;
  updated_at: string;
  file_name: string;
  encoding: string;
  status: AssetImportStatus;
  total_rows: number;
  valid_rows: number;
  error_rows: number;
  imported_rows: Generated<number>;
  rows_json: string;
  version: Generated<number>;
  finished_at: string | null;
}
export type AssetImport = Selectable<AssetImportsTable>;

// ---- Rollups of the running totals (migration 008) ----

export type RollupDimension = "total" | "month" | "region" | "bank" | "ip_type" | "firms";

export interface DisbursementRollupsTable {
  dimension: RollupDimension;
  /** '' for total and firms; 'YYYY-MM'; a region code; a bank org id; an IP type. */
  bucket: string;
  amount_fen: number;
  /** Ledger entries in the bucket; for `firms`, the number of firms financed. */
  entry_count: number;
}

// ---- Loan servicing (migration 013; decisions 010, 011) ----

export type RepaymentMethodCode =
  "equal_instalment" | "equal_principal" | "interest_only" | "bullet";
export type LoanStatus = "open" | "closed" | "defaulted";
export type RiskClassCode = "normal" | "special_mention" | "substandard" | "doubtful" | "loss";
export type RepaymentKindCode = "scheduled" | "partial" | "early" | "settlement";

export interface LoanAccountsTable {
  application_id: number;
  product_id: number;
  firm_org_id: number;
  bank_org_id: number;
  region_code: string;
  ip_type: IpType;
  method: RepaymentMethodCode;
  principal_fen: number;
  rate_bp: number;
  term_months: number;
  start_date: string;
  maturity_date: string;
  status: LoanStatus;
  outstanding_principal_fen: number;
  principal_repaid_fen: Generated<number>;
  interest_repaid_fen: Generated<number>;
  entry_count: Generated<number>;
  last_value_date: string | null;
  days_past_due: Generated<number>;
  overdue_fen: Generated<number>;
  risk_class: Generated<RiskClassCode>;
  override_class: RiskClassCode | null;
  classified_on: string | null;
  closed_date: string | null;
  version: Generated<number>;
  created_at: string;
  updated_at: string;
}
export type LoanAccount = Selectable<LoanAccountsTable>;

export interface LoanScheduleRowsTable {
  application_id: number;
  seq: number;
  due_date: string;
  opening_principal_fen: number;
  principal_fen: number;
  interest_fen: number;
}

export interface RepaymentEntriesTable {
  id: Generated<number>;
  application_id: number;
  entry_type: "repayment" | "reversal";
  kind: RepaymentKindCode;
  idempotency_key: string;
  reverses_entry_id: number | null;
  value_date: string;
  month: string;
  principal_fen: number;
  interest_fen: number;
  region_code: string;
  bank_org_id: number;
  firm_org_id: number;
  ip_type: IpType;
  reason: string | null;
  created_by: number;
  created_at: string;
}
export type RepaymentEntry = Selectable<RepaymentEntriesTable>;

export type ServicingDimension = "total" | "month" | "region" | "bank" | "ip_type";

export interface ServicingRollupsTable {
  dimension: ServicingDimension;
  bucket: string;
  /** Net change of outstanding principal in the bucket (disbursed − repaid). */
  outstanding_fen: number;
  principal_repaid_fen: number;
  interest_repaid_fen: number;
  entry_count: number;
}

export interface LoanClassificationOverridesTable {
  id: Generated<number>;
  application_id: number;
  risk_class: RiskClassCode;
  floor_class: RiskClassCode;
  days_past_due: number;
  reason: string;
  created_by: number;
  created_at: string;
}

export interface LoanDefaultsTable {
  application_id: number;
  default_date: string;
  principal_loss_fen: number;
  interest_loss_fen: number;
  days_past_due: number;
  reason: string;
  created_by: number;
  created_at: string;
}
export type LoanDefault = Selectable<LoanDefaultsTable>;

export interface CollateralFeePaymentsTable {
  id: Generated<number>;
  asset_id: number;
  fee_year: number;
  paid_date: string;
  amount_fen: number;
  surcharge_fen: Generated<number>;
  receipt_number: string;
  recorded_by: number;
  recorded_by_org: number;
  confirmed_by: number | null;
  confirmed_at: string | null;
  created_at: string;
}

export type LegalEventType =
  "invalidation_request" | "invalidated" | "transfer" | "licence" | "lapse" | "restoration";

export interface LegalStatusEventsTable {
  id: Generated<number>;
  asset_id: number;
  event_type: LegalEventType;
  event_date: string;
  notice_date: string | null;
  note: string | null;
  source: "firm" | "bank" | "admin" | "csv";
  recorded_by: number;
  created_at: string;
}

export interface JobRunsTable {
  job: string;
  run_date: string;
  status: "running" | "done" | "failed";
  started_at: string;
  finished_at: string | null;
  detail_json: string | null;
}

export interface RemindersTable {
  id: Generated<number>;
  dedupe_key: string;
  kind: string;
  user_id: number;
  application_id: number | null;
  asset_id: number | null;
  run_date: string;
  created_at: string;
}

// ---- Risk sharing, subsidies and disposal (migration 014; decision 013) ----

export type RiskPoolKind = "regional" | "county";
export type SharePartyCode = "pool" | "insurer" | "guarantor" | "bank";

export interface RiskPoolsTable {
  id: Generated<number>;
  name: string;
  kind: RiskPoolKind;
  manager_org_id: number;
  insurer_org_id: number | null;
  guarantor_org_id: number | null;
  share_pool_bp: number;
  share_insurer_bp: number;
  share_guarantor_bp: number;
  share_bank_bp: number;
  per_loan_cap_fen: number;
  leverage_multiple_bp: number;
  interest_days_allowed: number;
  required_documents: string;
  contributed_fen: Generated<number>;
  paid_fen: Generated<number>;
  recovered_fen: Generated<number>;
  balance_fen: Generated<number>;
  exposure_fen: Generated<number>;
  version: Generated<number>;
  created_by: number;
  created_at: string;
  updated_at: string;
}
export type RiskPool = Selectable<RiskPoolsTable>;

export interface RiskPoolProductsTable {
  pool_id: number;
  product_id: number;
}

export interface RiskPoolRegionsTable {
  pool_id: number;
  region_code: string;
}

export interface RiskPoolFundersTable {
  id: Generated<number>;
  pool_id: number;
  name: string;
  org_id: number | null;
  created_at: string;
}

export type RiskPoolEntryType = "contribution" | "payout" | "recovery";

export interface RiskPoolEntriesTable {
  id: Generated<number>;
  pool_id: number;
  entry_type: RiskPoolEntryType;
  amount_fen: number;
  funder_id: number | null;
  claim_id: number | null;
  disposal_id: number | null;
  value_date: string;
  idempotency_key: string;
  note: string | null;
  created_by: number;
  created_at: string;
}

export type ReservationState = "active" | "released" | "claimed";

export interface RiskReservationsTable {
  id: Generated<number>;
  pool_id: number;
  application_id: number;
  initial_fen: number;
  reserved_fen: number;
  state: ReservationState;
  version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export type RiskClaimState = "filed" | "approved" | "partially_approved" | "rejected";

export interface RiskClaimsTable {
  id: Generated<number>;
  pool_id: number;
  application_id: number;
  live_key: number | null;
  bank_org_id: number;
  state: RiskClaimState;
  outstanding_principal_fen: number;
  unpaid_interest_fen: number;
  covered_principal_fen: number;
  allowed_interest_fen: number;
  loss_fen: number;
  claimed_fen: number;
  approved_fen: number | null;
  reject_reason: string | null;
  idempotency_key: string;
  version: Generated<number>;
  filed_by: number;
  filed_at: string;
  decided_by: number | null;
  decided_at: string | null;
}
export type RiskClaim = Selectable<RiskClaimsTable>;

export interface RiskClaimDocumentsTable {
  claim_id: number;
  document: string;
  reference: string | null;
}

export interface RiskClaimPayoutsTable {
  id: Generated<number>;
  claim_id: number;
  party: SharePartyCode;
  payer_org_id: number | null;
  amount_fen: number;
  idempotency_key: string;
  created_by: number;
  created_at: string;
}

export type RiskCoverKind = "insurance" | "guarantee";

export interface RiskProductQuotesTable {
  id: Generated<number>;
  product_id: number;
  party_org_id: number;
  kind: RiskCoverKind;
  rate_bp: number;
  active: Generated<number>;
  created_by: number;
  created_at: string;
}

export interface RiskPoliciesTable {
  id: Generated<number>;
  application_id: number;
  quote_id: number;
  party_org_id: number;
  kind: RiskCoverKind;
  rate_bp: number;
  insured_fen: number;
  premium_fen: number;
  bound_at: string;
}

export interface LprSettingsTable {
  effective_date: string;
  rate_bp: number;
  created_by: number;
  created_at: string;
}

export interface SubsidyProgrammesTable {
  id: Generated<number>;
  name: string;
  owner_org_id: number;
  share_bp: number;
  lpr_multiple_cap_bp: number | null;
  per_firm_year_cap_fen: number;
  budget_fen: number;
  committed_fen: Generated<number>;
  paid_fen: Generated<number>;
  window_start: string;
  window_end: string;
  region_codes: string;
  product_ids: string;
  required_flags: string;
  first_pledge_only: Generated<number>;
  auto_approve: Generated<number>;
  version: Generated<number>;
  created_by: number;
  created_at: string;
}
export type SubsidyProgramme = Selectable<SubsidyProgrammesTable>;

export interface SubsidyFirmYearsTable {
  programme_id: number;
  firm_org_id: number;
  year: number;
  committed_fen: number;
}

export type SubsidyClaimState = "pending" | "approved" | "rejected";

export interface SubsidyClaimsTable {
  id: Generated<number>;
  programme_id: number;
  firm_org_id: number;
  application_id: number;
  year: number;
  state: SubsidyClaimState;
  interest_fen: number;
  computed_fen: number;
  amount_fen: number;
  lines_json: string;
  reject_reason: string | null;
  idempotency_key: string;
  version: Generated<number>;
  created_by: number;
  created_at: string;
  decided_by: number | null;
  decided_at: string | null;
}
export type SubsidyClaim = Selectable<SubsidyClaimsTable>;

export interface SubsidisedInterestTable {
  payment_key: string;
  claim_id: number;
  application_id: number;
  interest_fen: number;
}

export interface SubsidyPayoutsTable {
  id: Generated<number>;
  claim_id: number;
  programme_id: number;
  firm_org_id: number;
  region_code: string | null;
  amount_fen: number;
  value_date: string;
  idempotency_key: string;
  created_by: number;
  created_at: string;
}

export type DisposalKind = "transfer" | "licence";
export type DisposalState = "listed" | "sold" | "withdrawn";

export interface DisposalsTable {
  id: Generated<number>;
  application_id: number;
  bank_org_id: number;
  claim_id: number | null;
  kind: DisposalKind;
  title: string;
  asset_summary: string;
  appraisal_fen: number | null;
  asking_fen: number;
  terms: string;
  state: DisposalState;
  proceeds_fen: number | null;
  version: Generated<number>;
  listed_by: number;
  listed_at: string;
  closed_at: string | null;
  /** = application_id while listed or sold, NULL once withdrawn: one live disposal a loan (014e). */
  live_key: number | null;
  /** The buyer or licensee, and the day the contract was signed (recorded with the proceeds). */
  buyer_name: string | null;
  sold_date: string | null;
}
export type Disposal = Selectable<DisposalsTable>;

export interface DisposalInterestsTable {
  id: Generated<number>;
  disposal_id: number;
  name: string;
  contact: string;
  message: string;
  created_at: string;
}

export interface DisposalDistributionsTable {
  id: Generated<number>;
  disposal_id: number;
  claim_id: number | null;
  party: SharePartyCode;
  amount_fen: number;
  idempotency_key: string;
  created_by: number;
  created_at: string;
}
