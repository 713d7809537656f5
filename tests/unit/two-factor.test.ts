import { describe, expect, it } from "vitest";
import { mustEnrolFirst, SECOND_FACTOR_ACTIONS } from "../../app/domain/permissions";
import {
  adminResetRefusal,
  classifySecondFactor,
  isFreshStep,
  RECOVERY_ALPHABET,
  recoveryCodeFromBytes,
  requiredRoles,
  serializeRequiredRoles,
  totpStep,
} from "../../app/domain/two-factor";

describe("which roles must use two-factor authentication", () => {
  it("defaults to admins and bank officers in a deployment and to nobody in the demo", () => {
    expect(requiredRoles(null, true)).toEqual(["admin", "bank_officer"]);
    expect(requiredRoles(undefined, false)).toEqual([]);
  });
  it("follows the admin's stored choice in either mode", () => {
    expect(requiredRoles("[]", true)).toEqual([]);
    expect(requiredRoles('["admin","firm"]', false)).toEqual(["firm", "admin"]);
    expect(requiredRoles(serializeRequiredRoles(["valuer", "valuer"]), false)).toEqual(["valuer"]);
  });
  it("fails closed on a damaged value", () => {
    expect(requiredRoles("{not json", false)).toEqual(["admin", "bank_officer"]);
    expect(requiredRoles('["root"]', false)).toEqual(["admin", "bank_officer"]);
  });
});

describe("the permission guard", () => {
  const required = { twoFactorRequired: true, twoFactorEnabled: false };
  it("holds back money-moving actions until a required user enrols", () => {
    for (const a of [
      "application.approve",
      "application.disburse",
      "application.repay",
      "loan.postRepayment",
      "loan.reverseRepayment",
      "loan.default",
      "riskPool.contribute",
      "riskClaim.decide",
      "disposal.recordProceeds",
      "subsidyClaim.decide",
      "twoFactor.resetForUser",
    ] as const) {
      expect(SECOND_FACTOR_ACTIONS.has(a)).toBe(true);
      expect(mustEnrolFirst(required, a)).toBe(true);
      expect(mustEnrolFirst({ ...required, twoFactorEnabled: true }, a)).toBe(false);
      expect(mustEnrolFirst({ ...required, twoFactorRequired: false }, a)).toBe(false);
    }
    expect(mustEnrolFirst(required, "ledger.reverse")).toBe(true);
    expect(mustEnrolFirst(required, "application.viewIncoming")).toBe(false);
  });
});

describe("what was typed in the code box", () => {
  it("tells TOTP codes from recovery codes, ignoring spaces, dashes and case", () => {
    expect(classifySecondFactor(" 123 456 ")).toEqual({ kind: "totp", code: "123456" });
    expect(classifySecondFactor("abcde-fghjk")).toEqual({ kind: "recovery", code: "ABCDEFGHJK" });
    expect(classifySecondFactor("12345")).toEqual({ kind: "invalid" });
    expect(classifySecondFactor("ABCDE-FGHJ0")).toEqual({ kind: "invalid" }); // 0 is not used
    expect(classifySecondFactor("<script>")).toEqual({ kind: "invalid" });
  });
});

describe("recovery codes", () => {
  it("are ten symbols of the alphabet, grouped in fives", () => {
    const code = recoveryCodeFromBytes(Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 30]));
    expect(code).toBe("23456-789AZ");
    expect(classifySecondFactor(code!).kind).toBe("recovery");
  });
  it("skip bytes that would bias the alphabet, and ask for more when short", () => {
    const limit = 256 - (256 % RECOVERY_ALPHABET.length);
    const bytes = Uint8Array.from([limit, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(recoveryCodeFromBytes(bytes)).toBe("22222-22222");
    expect(recoveryCodeFromBytes(Uint8Array.from([0, 1, 2]))).toBeNull();
  });
});

describe("replay", () => {
  it("accepts a time step only after every step accepted before", () => {
    const step = totpStep(Date.UTC(2026, 11, 6, 0, 0, 0));
    expect(step).toBe(Math.floor(Date.UTC(2026, 11, 6) / 30_000));
    expect(isFreshStep(null, step)).toBe(true);
    expect(isFreshStep(step, step)).toBe(false);
    expect(isFreshStep(step, step - 1)).toBe(false);
    expect(isFreshStep(step, step + 1)).toBe(true);
  });
});

describe("an admin resetting someone's lost second factor", () => {
  it("refuses an admin's own account", () => {
    expect(adminResetRefusal(1, { id: 1, hasEnrolment: true })).toBe("self");
  });
  it("refuses a user with nothing to reset", () => {
    expect(adminResetRefusal(1, { id: 2, hasEnrolment: false })).toBe("notEnrolled");
  });
  it("allows another user's enrolment", () => {
    expect(adminResetRefusal(1, { id: 2, hasEnrolment: true })).toBeNull();
  });
});
