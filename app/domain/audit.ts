/**
 * How an audit row reads to a person: the locale key of its action, the key of its object's kind
 * and, where the admin has a page for that object, the page's address. The codes themselves stay
 * in the table (`audit_log.action`, `entity_type`); the page shows them only as a secondary detail.
 */

/**
 * The locale key for an action code: the part before the first dot is the group, the rest (with
 * its dots as underscores) the key, so "loan.repayment" and "loan.repayment.reverse" are siblings
 * (`loan.repayment`, `loan.repayment_reverse`) instead of a string and an object under one key.
 */
export function auditActionKey(action: string): string {
  const dot = action.indexOf(".");
  const group = dot < 0 ? "other" : action.slice(0, dot);
  const rest = (dot < 0 ? action : action.slice(dot + 1)).replaceAll(".", "_");
  return `auth:audit.actions.${group}.${rest}`;
}

/** Every kind of object an audit row names (`entity_type`), for its label. */
export const AUDIT_ENTITY_TYPES = [
  "application",
  "appraisal_order",
  "asset_import",
  "disposal",
  "financing_request",
  "invitation",
  "ip_asset",
  "ledger_entry",
  "legal_event_import",
  "loan_product",
  "lpr",
  "organisation",
  "repayment_entry",
  "risk_claim",
  "risk_pool",
  "risk_quote",
  "setting",
  "settings",
  "subsidy_claim",
  "subsidy_programme",
  "user",
] as const;

export function auditEntityKey(entityType: string): string {
  return (AUDIT_ENTITY_TYPES as readonly string[]).includes(entityType)
    ? `auth:audit.entities.${entityType}`
    : "auth:audit.entities.other";
}

export interface AuditLinkInput {
  action: string;
  entityType: string;
  entityId: string;
  /** The signed appraisal of an appraisal order, when there is one (its printable report). */
  appraisalId?: number | null;
}

/**
 * The admin's page for the object of an audit row, or null where the admin has none (a firm's
 * asset or request is the firm's own page; a deal is the firm's and the bank's).
 */
export function auditEntityHref(row: AuditLinkInput): string | null {
  const id = /^\d+$/.test(row.entityId) ? row.entityId : null;
  switch (row.entityType) {
    case "appraisal_order":
      return row.appraisalId ? `/appraisals/${row.appraisalId}/report` : null;
    case "disposal":
      return id ? `/disposals/${id}` : null;
    case "ledger_entry":
      return "/admin/ledger";
    case "risk_pool":
    case "risk_claim":
      return "/risk/pools";
    case "subsidy_programme":
      return id ? `/subsidies/${id}` : null;
    case "lpr":
      return "/subsidies/lpr";
    case "invitation":
      return "/admin/invitations";
    case "setting":
    case "settings":
      if (row.action === "settings.target_phases") return "/admin/settings/target";
      if (row.action === "settings.appraisal_fee") return "/admin/settings/appraisal-fee";
      return null;
    default:
      return null;
  }
}
