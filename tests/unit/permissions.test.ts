/**
 * The authorization matrix, written out by hand: every action × every audience, on a thing of the
 * actor's own organisation and on another organisation's. The table in app/domain/permissions.ts
 * must agree with this spec cell by cell; a change to who may do what changes both, on purpose.
 *
 * Columns: anonymous, firm, bank_officer, valuer, alliance, admin. Cells:
 *   -  may not          A  any thing         U  the actor's own (e.g. their notifications)
 *   F  own firm's      B  own bank's        V  own valuer's (assigned orders)
 *   L  own alliance member's (a government member's subsidy programme)
 */
import { describe, expect, it } from "vitest";
import {
  ACTIONS,
  AUDIENCES,
  can,
  isAction,
  scopeOf,
  type Action,
  type Audience,
  type Owners,
  type PermissionActor,
} from "../../app/domain/permissions";

const SPEC: Record<Action, string> = {
  "progress.view": "A A A A A A",
  "catalogue.view": "A A A A A A",
  "report.view": "A A A A A A",
  "report.loans": "- - - - A A",
  "appraisal.verify": "A A A A A A",

  "dashboard.firm": "- A - - - -",
  "dashboard.bank": "- - A - - -",
  "dashboard.valuer": "- - - A - -",
  "dashboard.alliance": "- - - - A A",
  "dashboard.admin": "- - - - - A",

  "notification.view": "- U U U U U",
  "notification.markRead": "- U U U U U",
  "twoFactor.manage": "- U U U U U",

  "profile.view": "- F - - - -",
  "profile.edit": "- F - - - -",

  "asset.view": "- F - - - -",
  "asset.create": "- A - - - -",
  "asset.edit": "- F - - - -",
  "asset.delete": "- F - - - -",
  "asset.valuate": "- F - - - -",
  "asset.import": "- F - - - -",

  "request.view": "- F - - - -",
  "request.create": "- A - - - -",
  "request.edit": "- F - - - -",
  "request.close": "- F - - - -",

  "product.view": "- - B - - -",
  "product.create": "- - A - - -",
  "product.edit": "- - B - - -",
  "pipeline.view": "- - A - - -",

  "application.create": "- F - - - -",
  "application.viewOwn": "- F - - - -",
  "application.viewIncoming": "- - B - - -",
  "application.edit": "- F - - - -",
  "application.comment": "- F B - - -",
  "application.submit": "- F - - - -",
  "application.withdraw": "- F - - - -",
  "application.start_review": "- - B - - -",
  "application.approve": "- - B - - -",
  "application.reject": "- - B - - -",
  "application.register_pledge": "- - B - - -",
  "application.disburse": "- - B - - -",
  "application.repay": "- - B - - -",
  "application.default": "- - B - - -",

  "loan.viewOwn": "- F - - - -",
  "loan.viewIncoming": "- - B - - -",
  "loan.postRepayment": "- - B - - -",
  "loan.reverseRepayment": "- - B - - -",
  "loan.classify": "- - B - - -",
  "loan.default": "- - B - - -",
  "loan.releasePledge": "- - B - - -",
  "collateral.watchOwn": "- F - - - -",
  "collateral.watchIncoming": "- - B - - -",
  "collateral.recordFee": "- F B - - -",
  "collateral.confirmFee": "- - B - - -",
  "collateral.recordLegalEvent": "- F B - - A",
  "collateral.importLegalEvents": "- - B - - A",

  "appraisalOrder.create": "- A - - - -",
  "appraisalOrder.viewOwn": "- F - - - -",
  "appraisalOrder.pay": "- F - - - -",
  "appraisalOrder.cancel": "- F - - - -",
  "appraisalOrder.viewAssigned": "- - - V - -",
  "appraisalOrder.start": "- - - V - -",
  "appraisalOrder.sign": "- - - V - -",
  "appraisalReport.view": "- F - V - A",
  "payment.confirmOffline": "- - - - - A",

  "ledger.view": "- F B - A A",
  "ledger.reverse": "- - - - - A",
  "review.view": "- - B - A A",

  "riskPool.view": "- - A - A A",
  "riskPool.create": "- - - - A A",
  "riskPool.contribute": "- - - - A A",
  "riskClaim.view": "- - B - A A",
  "riskClaim.file": "- - B - - -",
  "riskClaim.decide": "- - - - A A",
  "disposal.view": "A A A A A A",
  "disposal.registerInterest": "A A A A A A",
  "disposal.manage": "- - B - - -",
  "disposal.recordProceeds": "- - B - - -",
  "subsidy.viewOwn": "- F - - - -",
  "subsidy.claim": "- F - - - -",
  "subsidyProgramme.list": "- - - - A A",
  "subsidyProgramme.create": "- - - - A A",
  "subsidyProgramme.view": "- - - - L A",
  "subsidyClaim.decide": "- - - - L A",
  "riskQuote.set": "- - - - A -",
  "riskPolicy.bind": "- - B - - -",
  "lpr.edit": "- - - - A A",
  "invitation.create": "- - - - - A",
  "team.view": "- F B - - -",
  "team.manage": "- F B - - -",
  "mail.unsubscribe": "A A A A A A",
  "audit.view": "- - - - - A",
  "outbox.view": "- - - - - A",
  "settings.edit": "- - - - - A",
  "twoFactorPolicy.edit": "- - - - - A",
  "user.list": "- - - - - A",
  "twoFactor.resetForUser": "- - - - - A",
};

const MINE = 100;
const THEIRS = 200;
const ME = 10;
const SOMEONE_ELSE = 20;

const actorFor = (audience: Audience): PermissionActor | null =>
  audience === "anonymous" ? null : { id: ME, org_id: MINE, role: audience };

const FIELD = {
  F: "firmOrgId",
  B: "bankOrgId",
  V: "valuerOrgId",
  L: "allianceOrgId",
  U: "userId",
} as const;

/** A thing the actor owns through `field` only; every other owner field is someone else's. */
function ownedThrough(field: keyof Owners, own: boolean): Owners {
  const other = (f: keyof Owners) => (f === "userId" ? SOMEONE_ELSE : THEIRS);
  const mine = (f: keyof Owners) => (f === "userId" ? ME : MINE);
  const thing: Owners = {};
  for (const f of Object.values(FIELD)) thing[f] = f === field && own ? mine(f) : other(f);
  return thing;
}

/** A thing owned by the actor through every field except `field`. */
function ownedExcept(field: keyof Owners): Owners {
  const thing: Owners = {
    firmOrgId: MINE,
    bankOrgId: MINE,
    valuerOrgId: MINE,
    allianceOrgId: MINE,
    userId: ME,
  };
  thing[field] = field === "userId" ? SOMEONE_ELSE : THEIRS;
  return thing;
}

const ALL_MINE: Owners = {
  firmOrgId: MINE,
  bankOrgId: MINE,
  valuerOrgId: MINE,
  allianceOrgId: MINE,
  userId: ME,
};
const ALL_THEIRS: Owners = {
  firmOrgId: THEIRS,
  bankOrgId: THEIRS,
  valuerOrgId: THEIRS,
  allianceOrgId: THEIRS,
  userId: SOMEONE_ELSE,
};

const cells: [Action, Audience, string][] = ACTIONS.flatMap((action) => {
  const row = SPEC[action].split(" ");
  return AUDIENCES.map((audience, i): [Action, Audience, string] => [action, audience, row[i]]);
});

describe("the permissions table", () => {
  it("lists exactly the actions of the spec", () => {
    expect([...ACTIONS].sort()).toEqual(Object.keys(SPEC).sort());
    for (const action of ACTIONS) expect(SPEC[action].split(" ")).toHaveLength(AUDIENCES.length);
  });

  it.each(cells)("%s as %s: %s", (action, audience, cell) => {
    const actor = actorFor(audience);
    switch (cell) {
      case "-":
        expect(scopeOf(actor, action)).toBeNull();
        expect(can(actor, action)).toBe(false);
        expect(can(actor, action, ALL_MINE)).toBe(false);
        expect(can(actor, action, ALL_THEIRS)).toBe(false);
        break;
      case "A":
        expect(scopeOf(actor, action)).toBe("any");
        expect(can(actor, action)).toBe(true);
        expect(can(actor, action, ALL_MINE)).toBe(true);
        expect(can(actor, action, ALL_THEIRS)).toBe(true);
        expect(can(actor, action, {})).toBe(true);
        break;
      case "F":
      case "B":
      case "V":
      case "L":
      case "U": {
        const field = FIELD[cell];
        expect(scopeOf(actor, action)).toBe(field);
        // The role gate: some thing of this kind, before one is loaded.
        expect(can(actor, action)).toBe(true);
        expect(can(actor, action, ownedThrough(field, true))).toBe(true);
        expect(can(actor, action, ownedThrough(field, false))).toBe(false);
        // Owning the thing in another capacity does not count.
        expect(can(actor, action, ownedExcept(field))).toBe(false);
        expect(can(actor, action, {})).toBe(false);
        expect(can(actor, action, { [field]: null })).toBe(false);
        break;
      }
      default:
        throw new Error(`bad cell ${cell}`);
    }
  });

  it("knows its action names", () => {
    expect(isAction("application.approve")).toBe(true);
    expect(isAction("application.delete")).toBe(false);
    expect(isAction("toString")).toBe(false);
  });
});
