import { describe, expect, it } from "vitest";
import { LOAN_PATH_STEPS, loanPath, type LoanPathFacts } from "../../app/domain/loan-path";

const NEW_FIRM: LoanPathFacts = {
  profileComplete: false,
  assetCount: 0,
  firstUnestimatedAssetId: null,
  estimateCount: 0,
  latestOpenRequestId: null,
  readyProducts: 0,
  appraisalProducts: 0,
  validAppraisals: 0,
  openAppraisalOrders: 0,
  draftApplicationId: null,
  submittedApplicationId: null,
  approvedApplicationId: null,
};

const doneSteps = (f: LoanPathFacts) =>
  loanPath(f)
    .items.filter((i) => i.done)
    .map((i) => i.step);

describe("the firm's path to a loan", () => {
  it("lists the eight steps in order, none done for an empty firm, the profile next", () => {
    const p = loanPath(NEW_FIRM);
    expect(p.items.map((i) => i.step)).toEqual([...LOAN_PATH_STEPS]);
    expect(p.doneCount).toBe(0);
    expect(p.next).toEqual({ step: "profile", done: false, href: "/firm/profile" });
  });

  it("a registered firm lists its IP next, then estimates the first asset without an estimate", () => {
    const registered = { ...NEW_FIRM, profileComplete: true };
    expect(loanPath(registered).next?.href).toBe("/firm/assets/new-patent");
    const listed = { ...registered, assetCount: 2, firstUnestimatedAssetId: 7 };
    expect(loanPath(listed).next).toEqual({
      step: "estimate",
      done: false,
      href: "/firm/assets/7/valuation",
    });
  });

  it("asks for financing after an estimate, then shows the request's matches", () => {
    const estimated = {
      ...NEW_FIRM,
      profileComplete: true,
      assetCount: 2,
      firstUnestimatedAssetId: 8,
      estimateCount: 1,
    };
    expect(loanPath(estimated).next?.href).toBe("/firm/requests/new");
    const asked = { ...estimated, latestOpenRequestId: 12 };
    // No ready or subject-to-appraisal product yet: the match page says what would open one.
    expect(loanPath(asked).next).toEqual({
      step: "matches",
      done: false,
      href: "/firm/requests/12",
    });
    expect(doneSteps(asked)).toEqual(["profile", "asset", "estimate", "request"]);
  });

  it("needs a formal appraisal while only indicative values fit; an open order links to the orders", () => {
    const f = {
      ...NEW_FIRM,
      profileComplete: true,
      assetCount: 1,
      estimateCount: 1,
      latestOpenRequestId: 12,
      appraisalProducts: 3,
    };
    expect(loanPath(f).next).toEqual({
      step: "appraisal",
      done: false,
      href: "/firm/appraisals/new",
    });
    expect(loanPath({ ...f, openAppraisalOrders: 1 }).next?.href).toBe("/firm/appraisals");
    // An appraisal that does not make any product ready is not the step done.
    expect(loanPath({ ...f, validAppraisals: 1 }).next?.step).toBe("appraisal");
  });

  it("with a ready product, submitting is next: the draft if there is one, else the match page", () => {
    const ready = {
      ...NEW_FIRM,
      profileComplete: true,
      assetCount: 1,
      estimateCount: 1,
      latestOpenRequestId: 12,
      readyProducts: 2,
      validAppraisals: 1,
    };
    expect(loanPath(ready).next).toEqual({
      step: "submitted",
      done: false,
      href: "/firm/requests/12",
    });
    expect(loanPath({ ...ready, draftApplicationId: 40 }).next?.href).toBe("/firm/applications/40");
  });

  it("waits for approval after submitting, and is complete once approved", () => {
    const submitted = {
      ...NEW_FIRM,
      profileComplete: true,
      assetCount: 1,
      estimateCount: 1,
      latestOpenRequestId: null, // an application implies the request, even once closed
      validAppraisals: 1,
      submittedApplicationId: 41,
    };
    expect(loanPath(submitted).next).toEqual({
      step: "approved",
      done: false,
      href: "/firm/applications/41",
    });
    const approved = { ...submitted, approvedApplicationId: 41 };
    expect(loanPath(approved).next).toBeNull();
    expect(loanPath(approved).doneCount).toBe(8);
  });

  it("judges each step on its own rows: a skipped estimate stays open", () => {
    const f = {
      ...NEW_FIRM,
      profileComplete: true,
      assetCount: 3,
      firstUnestimatedAssetId: 5,
      latestOpenRequestId: 2,
      readyProducts: 1,
      validAppraisals: 2,
    };
    expect(doneSteps(f)).toEqual(["profile", "asset", "request", "matches", "appraisal"]);
    expect(loanPath(f).next?.step).toBe("estimate");
  });
});
