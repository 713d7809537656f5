import type { Role } from "../../db/schema";

/**
 * Who may do what to which thing: the one table every loader and action asks (through
 * `app/utils/permissions.server.ts`), so "may a bank officer see this?" has one answer.
 *
 * Each action lists the roles that may do it and, per role, its scope:
 * - "any": any thing of that kind (an admin opens any appraisal report);
 * - an owner field: only a thing whose field is the actor's organisation ("firmOrgId": the
 *   firm's own asset) — or, for "userId", the actor themself (their own notifications);
 * - "anonymous" as a role: also visitors who are not logged in (public pages).
 * A role that is not listed may not do it at all.
 *
 * Pages follow two rules. A form page is gated by the action it performs (the edit form by
 * "asset.edit", for its loader and its action alike). A page with several actions is gated by
 * its view action, and each posted intent is then checked on its own. The firm's and the bank's
 * views of the same deal are two actions ("application.viewOwn", "application.viewIncoming"),
 * so a bank officer on a firm's page is refused (403), not told the deal does not exist.
 *
 * The table decides; the models still scope their queries by organisation (defence in depth).
 * Logging in, registering, accepting an invitation and Stripe's signed webhook are not in the
 * table: they establish who the actor is rather than what the actor may do.
 */

/** Who asks: a logged-in user (`SessionUser` fits), or null for an anonymous visitor. */
export interface PermissionActor {
  id: number;
  org_id: number;
  role: Role;
}

/** The owners of a thing, as far as the action's scope needs them. */
export interface Owners {
  firmOrgId?: number | null;
  bankOrgId?: number | null;
  valuerOrgId?: number | null;
  /** The alliance member that owns the thing (a government member's subsidy programme). */
  allianceOrgId?: number | null;
  userId?: number | null;
}

export type OwnerField = keyof Owners;
export type Scope = "any" | OwnerField;
export type Audience = Role | "anonymous";
export type Rule = Readonly<Partial<Record<Audience, Scope>>>;

export const ROLES: readonly Role[] = ["firm", "bank_officer", "valuer", "alliance", "admin"];
export const AUDIENCES: readonly Audience[] = ["anonymous", ...ROLES];

const EVERYONE = {
  anonymous: "any",
  firm: "any",
  bank_officer: "any",
  valuer: "any",
  alliance: "any",
  admin: "any",
} as const satisfies Rule;

/** Every logged-in user, each on their own things only. */
const EACH_USER_OWN = {
  firm: "userId",
  bank_officer: "userId",
  valuer: "userId",
  alliance: "userId",
  admin: "userId",
} as const satisfies Rule;

const FIRM_OWN = { firm: "firmOrgId" } as const satisfies Rule;
const BANK_OWN = { bank_officer: "bankOrgId" } as const satisfies Rule;
const VALUER_OWN = { valuer: "valuerOrgId" } as const satisfies Rule;
const ADMIN = { admin: "any" } as const satisfies Rule;

export const PERMISSIONS = {
  // Public pages: aggregates, the catalogue and the check of a printed report.
  "progress.view": EVERYONE,
  "catalogue.view": EVERYONE,
  "report.view": EVERYONE,
  /** The loans behind the report's balances (firms named): the programme's overseers only. */
  "report.loans": { alliance: "any", admin: "any" },
  "appraisal.verify": EVERYONE,

  "dashboard.firm": { firm: "any" },
  "dashboard.bank": { bank_officer: "any" },
  "dashboard.valuer": { valuer: "any" },
  "dashboard.alliance": { alliance: "any", admin: "any" },
  "dashboard.admin": ADMIN,

  "notification.view": EACH_USER_OWN,
  "notification.markRead": EACH_USER_OWN,
  /** One's own two-factor authentication: enrol, recovery codes, remembered devices, disable. */
  "twoFactor.manage": EACH_USER_OWN,

  // The firm's profile and its consent to be named in the alliance review.
  "profile.view": FIRM_OWN,
  "profile.edit": FIRM_OWN,

  "asset.view": FIRM_OWN,
  "asset.create": { firm: "any" },
  "asset.edit": FIRM_OWN,
  "asset.delete": FIRM_OWN,
  "asset.valuate": FIRM_OWN,
  "asset.import": FIRM_OWN,

  "request.view": FIRM_OWN,
  "request.create": { firm: "any" },
  "request.edit": FIRM_OWN,
  "request.close": FIRM_OWN,

  "product.view": BANK_OWN,
  "product.create": { bank_officer: "any" },
  /** Editing the terms, pausing and resuming. */
  "product.edit": BANK_OWN,
  "pipeline.view": { bank_officer: "any" },

  // Deals. The nine workflow steps keep the workflow's own names (app/domain/application.ts).
  "application.create": FIRM_OWN,
  "application.viewOwn": FIRM_OWN,
  "application.viewIncoming": BANK_OWN,
  "application.edit": FIRM_OWN,
  "application.comment": { firm: "firmOrgId", bank_officer: "bankOrgId" },
  "application.submit": FIRM_OWN,
  "application.withdraw": FIRM_OWN,
  "application.start_review": BANK_OWN,
  "application.approve": BANK_OWN,
  "application.reject": BANK_OWN,
  "application.register_pledge": BANK_OWN,
  "application.disburse": BANK_OWN,
  "application.repay": BANK_OWN,
  "application.default": BANK_OWN,

  // The loan after disbursement (docs/domain.md#servicing): the firm reads its own, the bank
  // services its own (repayments, reversals, classification, default, and the release of a
  // defaulted loan's pledge, docs/domain.md#pledge-locks).
  "loan.viewOwn": FIRM_OWN,
  "loan.viewIncoming": BANK_OWN,
  "loan.postRepayment": BANK_OWN,
  "loan.reverseRepayment": BANK_OWN,
  "loan.classify": BANK_OWN,
  "loan.default": BANK_OWN,
  "loan.releasePledge": BANK_OWN,
  // Collateral monitoring (docs/domain.md#collateral-monitoring): each side's watch list of its
  // own loans' pledged assets; the firm records the fees it paid, the bank confirms them (or
  // records them itself); legal-status events come from the firm, the bank or the admin, and
  // in bulk by CSV from a bank (its loans' assets only) or the admin.
  "collateral.watchOwn": FIRM_OWN,
  "collateral.watchIncoming": BANK_OWN,
  "collateral.recordFee": { firm: "firmOrgId", bank_officer: "bankOrgId" },
  "collateral.confirmFee": BANK_OWN,
  "collateral.recordLegalEvent": { firm: "firmOrgId", bank_officer: "bankOrgId", admin: "any" },
  "collateral.importLegalEvents": { bank_officer: "bankOrgId", admin: "any" },

  "appraisalOrder.create": { firm: "any" },
  "appraisalOrder.viewOwn": FIRM_OWN,
  "appraisalOrder.pay": FIRM_OWN,
  "appraisalOrder.cancel": FIRM_OWN,
  "appraisalOrder.viewAssigned": VALUER_OWN,
  "appraisalOrder.start": VALUER_OWN,
  "appraisalOrder.sign": VALUER_OWN,
  "appraisalReport.view": { firm: "firmOrgId", valuer: "valuerOrgId", admin: "any" },
  "payment.confirmOffline": ADMIN,

  // The ledger behind the running total: each party its own entries, the alliance all of them.
  "ledger.view": { firm: "firmOrgId", bank_officer: "bankOrgId", alliance: "any", admin: "any" },
  "ledger.reverse": ADMIN,
  /** The alliance review: a bank officer sees other banks only as one combined figure. */
  "review.view": { alliance: "any", admin: "any", bank_officer: "bankOrgId" },

  // Risk sharing and subsidies (docs/domain.md#risk-pools): the pool page for the alliance and
  // the banks; disposals are public; a firm sees and claims only its own subsidies.
  "riskPool.view": { alliance: "any", admin: "any", bank_officer: "any" },
  /** Setting up a pool: the model further requires a government member (政府部门) or the admin. */
  "riskPool.create": { alliance: "any", admin: "any" },
  /** A funder's contribution: the model further requires the pool's manager (or the admin). */
  "riskPool.contribute": { alliance: "any", admin: "any" },
  /** Claims: a bank its own; an alliance member its pools' (scoped by the model); the admin all. */
  "riskClaim.view": { bank_officer: "bankOrgId", alliance: "any", admin: "any" },
  "riskClaim.file": BANK_OWN,
  /** Approving or rejecting: the model further requires the pool's manager (or the admin). */
  "riskClaim.decide": { alliance: "any", admin: "any" },
  "disposal.view": EVERYONE,
  "disposal.registerInterest": EVERYONE,
  /** A bank lists its defaulted loans' pledged IP and sees its own disposals and their interest. */
  "disposal.manage": BANK_OWN,
  /** Recording the sale's proceeds, which refunds the pool and the other sharers (money moves). */
  "disposal.recordProceeds": BANK_OWN,
  "subsidy.viewOwn": FIRM_OWN,
  "subsidy.claim": FIRM_OWN,
  // Subsidy programmes (贴息): set up and decided by a government alliance member, each on its
  // own programmes only, or the admin; the model also checks the member is a government one.
  "subsidyProgramme.list": { alliance: "any", admin: "any" },
  "subsidyProgramme.create": { alliance: "any", admin: "any" },
  "subsidyProgramme.view": { alliance: "allianceOrgId", admin: "any" },
  "subsidyClaim.decide": { alliance: "allianceOrgId", admin: "any" },
  /** An insurer or guarantor quotes its premium / fee rate for products (the model checks which). */
  "riskQuote.set": { alliance: "any" },
  /** The bank binds one quote of the product to a loan it approved, recording the premium. */
  "riskPolicy.bind": BANK_OWN,
  /** The dated 1-year LPR the subsidy basis is capped by (government members and the admin). */
  "lpr.edit": { alliance: "any", admin: "any" },

  "invitation.create": ADMIN,
  /**
   * The own organisation's members and pending invitations (firms and banks). Managing them —
   * inviting, resending, revoking, removing — also needs the bank's team-admin flag, which the
   * model checks (app/domain/team.ts mayManageTeam).
   */
  "team.view": { firm: "firmOrgId", bank_officer: "bankOrgId" },
  "team.manage": { firm: "firmOrgId", bank_officer: "bankOrgId" },
  /** The one-click unsubscribe of a notice mail: the signed link is the authority, no log-in. */
  "mail.unsubscribe": EVERYONE,
  "audit.view": ADMIN,
  /** The mail queue, including the development outbox (mails hold reset links: admin only). */
  "outbox.view": ADMIN,
  /** Platform settings: the appraisal fee and the financing target. */
  "settings.edit": ADMIN,
  /** Which roles must use two-factor authentication (docs/decisions/014-two-factor.md). */
  "twoFactorPolicy.edit": ADMIN,
  /** Every user's account and second-factor status (/admin/users). */
  "user.list": ADMIN,
  /** Resetting another user's lost second factor (docs/decisions/016-accounts.md). */
  "twoFactor.resetForUser": ADMIN,
} as const satisfies Record<string, Rule>;

export type Action = keyof typeof PERMISSIONS;

/** Actions open to anonymous visitors. */
export type PublicAction = {
  [A in Action]: "anonymous" extends keyof (typeof PERMISSIONS)[A] ? A : never;
}[Action];
/** Actions that need a logged-in user. */
export type MemberAction = Exclude<Action, PublicAction>;

export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

export function isAction(v: unknown): v is Action {
  return typeof v === "string" && Object.hasOwn(PERMISSIONS, v);
}

/**
 * The actor's scope for an action, or null when their role may not do it at all. Models use it
 * to scope a list the same way (only the role matters here).
 */
export function scopeOf(actor: Pick<PermissionActor, "role"> | null, action: Action): Scope | null {
  const rule: Rule = PERMISSIONS[action];
  return rule[actor ? actor.role : "anonymous"] ?? null;
}

/**
 * May this actor do this? Without a thing: may they do it to some thing of the kind (the role
 * gate). With a thing: may they do it to this one (role and ownership).
 */
export function can(actor: PermissionActor | null, action: Action, thing?: Owners): boolean {
  const scope = scopeOf(actor, action);
  if (scope === null) return false;
  if (thing === undefined || scope === "any") return true;
  if (!actor) return false;
  const owner = thing[scope];
  return (
    owner !== undefined &&
    owner !== null &&
    owner === (scope === "userId" ? actor.id : actor.org_id)
  );
}

/**
 * Actions that move money or change who must prove a second factor. A user whose role an admin
 * requires two-factor authentication of (app/domain/two-factor.ts requiredRoles) may do them only
 * once they have enrolled; until then the guards send them to enrolment
 * (docs/decisions/014-two-factor.md).
 */
export const SECOND_FACTOR_ACTIONS: ReadonlySet<Action> = new Set<Action>([
  "application.approve",
  "application.disburse",
  "application.repay",
  "application.default",
  "loan.postRepayment",
  "loan.reverseRepayment",
  "loan.default",
  "ledger.reverse",
  "riskPool.contribute",
  "riskClaim.decide",
  "disposal.recordProceeds",
  "payment.confirmOffline",
  "subsidyClaim.decide",
  "twoFactorPolicy.edit",
  "twoFactor.resetForUser",
]);

/** What the guards know of the actor's second factor (a `SessionUser` carries both). */
export interface SecondFactorState {
  /** The user has confirmed a TOTP enrolment (so every session of theirs passed a code). */
  twoFactorEnabled: boolean;
  /** The user's role must use two-factor authentication (the admin's policy). */
  twoFactorRequired: boolean;
}

/** This actor must enrol in two-factor authentication before doing this action. */
export function mustEnrolFirst(actor: SecondFactorState, action: Action): boolean {
  return SECOND_FACTOR_ACTIONS.has(action) && actor.twoFactorRequired && !actor.twoFactorEnabled;
}
