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
  audit_log: AuditLogTable;
  settings: SettingsTable;
  disbursement_totals: DisbursementTotalsTable;
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
}
export type Invitation = Selectable<InvitationsTable>;

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
