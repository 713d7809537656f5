import type { ApplicationState, DisposalState } from "../../../db/schema";
import { message, type Message } from "../message";

/**
 * When a pledge (质权) ends (docs/domain.md#pledge-locks, decision 022). The pledged assets are
 * locked from approval until the pledge ends: on rejection after approval, on repayment, and —
 * after a default — only once the pledged IP has been disposed of (the disposal's sale or licence
 * is recorded) or the bank releases the pledge on purpose. Recording the default itself leaves
 * the pledge standing: the bank still holds it and is about to dispose of the IP.
 */

/** What the bank's explicit release of a defaulted loan's pledge looks at. */
export interface PledgeReleaseFacts {
  applicationState: ApplicationState;
  /** The loan's live disposal (listed or sold), or null when there is none (or it was withdrawn). */
  liveDisposal: { id: number; state: DisposalState } | null;
  /** Pledge lock rows the application still holds. */
  lockedAssets: number;
}

/**
 * Why the bank may not release this pledge now, or null when it may. Only a defaulted loan's
 * pledge is released by hand (an open loan's ends with its repayment, a rejected one's with the
 * rejection); never while its IP is listed for disposal (the listing offers what the pledge
 * secures: record the sale, or withdraw the listing, first); and only once.
 */
export function pledgeReleaseRefusal(f: PledgeReleaseFacts): Message | null {
  if (f.applicationState !== "defaulted") {
    return message("servicing:refusals.releaseNotDefaulted", { state: f.applicationState });
  }
  if (f.liveDisposal?.state === "listed") {
    return message("servicing:refusals.releaseWhileListed", { id: f.liveDisposal.id });
  }
  if (f.lockedAssets === 0) return message("servicing:refusals.pledgeAlreadyReleased");
  return null;
}

/**
 * Why the pledged IP of a defaulted loan may not be listed for disposal: the pledge was released
 * (by the bank, or by an earlier sale), so the bank has nothing left to dispose of.
 */
export function disposalListingRefusal(lockedAssets: number): Message | null {
  return lockedAssets === 0 ? message("risk:errors.pledgeReleased") : null;
}
