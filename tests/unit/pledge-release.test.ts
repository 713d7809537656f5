import { describe, expect, it } from "vitest";
import type { ApplicationState } from "../../db/schema";
import { disposalListingRefusal, pledgeReleaseRefusal } from "../../app/domain/servicing/pledge";

/** When a defaulted loan's pledge may be released by hand (docs/domain.md#pledge-locks). */
describe("pledgeReleaseRefusal", () => {
  const defaulted = {
    applicationState: "defaulted" as ApplicationState,
    liveDisposal: null,
    lockedAssets: 2,
  };

  it("lets the bank release a defaulted loan's standing pledge", () => {
    expect(pledgeReleaseRefusal(defaulted)).toBeNull();
  });

  it("refuses every state but defaulted: repayment or rejection ends those pledges", () => {
    const states: ApplicationState[] = [
      "draft",
      "submitted",
      "under_review",
      "approved",
      "pledge_registered",
      "disbursed",
      "repaid",
      "rejected",
      "withdrawn",
    ];
    for (const applicationState of states) {
      expect(pledgeReleaseRefusal({ ...defaulted, applicationState })?.key, applicationState).toBe(
        "servicing:refusals.releaseNotDefaulted",
      );
    }
  });

  it("refuses while the IP is listed for disposal, naming the listing", () => {
    expect(
      pledgeReleaseRefusal({ ...defaulted, liveDisposal: { id: 7, state: "listed" } }),
    ).toEqual({ key: "servicing:refusals.releaseWhileListed", params: { id: 7 } });
  });

  it("refuses once the pledge is gone: sold, or released before", () => {
    expect(
      pledgeReleaseRefusal({
        ...defaulted,
        liveDisposal: { id: 7, state: "sold" },
        lockedAssets: 0,
      })?.key,
    ).toBe("servicing:refusals.pledgeAlreadyReleased");
    expect(pledgeReleaseRefusal({ ...defaulted, lockedAssets: 0 })?.key).toBe(
      "servicing:refusals.pledgeAlreadyReleased",
    );
  });
});

describe("disposalListingRefusal", () => {
  it("lists only a pledge that still stands", () => {
    expect(disposalListingRefusal(1)).toBeNull();
    expect(disposalListingRefusal(0)?.key).toBe("risk:errors.pledgeReleased");
  });
});
