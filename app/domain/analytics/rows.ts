import { type IpType } from "../ip";
import type { ApplicationState } from "../application";

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

/** Risk sharing and 贴息 of the product as the firm applied (from the snapshot). */
export interface ProductSupport {
  riskGovernmentBp: number;
  riskInsurerBp: number;
  riskGuarantorBp: number;
  interestSubsidyBp: number;
}

export const NO_SUPPORT: ProductSupport = {
  riskGovernmentBp: 0,
  riskInsurerBp: 0,
  riskGuarantorBp: 0,
  interestSubsidyBp: 0,
};

/** One application, as the review reads it. Instants are UTC text, dates China days. */
export interface ApplicationRow {
  id: number;
  state: ApplicationState;
  firmOrgId: number;
  bankOrgId: number;
  regionCode: string;
  industrySection: string | null;
  primaryIpType: IpType | null;
  amountFen: number;
  approvedAmountFen: number | null;
  approvedRateBp: number | null;
  submittedAt: string | null;
  reviewStartedAt: string | null;
  approvedAt: string | null;
  registeredAt: string | null;
  pledgeRegDate: string | null;
  disbursedAt: string | null;
  disbursedDate: string | null;
  closedAt: string | null;
  closedDate: string | null;
  /** Σ of the deal's ledger entries (its disbursement and any reversal); 0 without an entry. */
  ledgerNetFen: number;
  support: ProductSupport;
}

/** One financing request, with whether any application was started from it. */
export interface RequestRow {
  id: number;
  firmOrgId: number;
  amountFen: number;
  createdAt: string;
  applied: boolean;
}
