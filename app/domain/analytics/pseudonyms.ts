import { message, type Message } from "../message";

// ---------------------------------------------------------------------------------------------
// Pseudonyms
// ---------------------------------------------------------------------------------------------

/**
 * A firm's pseudonym code, given its organisation id. Keyed hashing needs a server secret and
 * node:crypto, so the server supplies it (app/utils/pseudonym.server.ts pseudonymCode) and this
 * module stays pure.
 */
export type PseudonymCoder = (firmOrgId: number) => string;

/** How a firm that has not consented is shown: "企业#3F2A" (alliance:pseudonym). */
export function firmPseudonym(firmOrgId: number, codeOf: PseudonymCoder): Message {
  return message("alliance:pseudonym", { code: codeOf(firmOrgId) });
}

/** The firm's name where it consented to show it to the alliance, else its pseudonym. */
export function firmDisplayName(
  firm: { id: number; name: string; consentShowName: boolean },
  codeOf: PseudonymCoder,
): { named: true; name: string } | { named: false; pseudonym: Message } {
  return firm.consentShowName
    ? { named: true, name: firm.name }
    : { named: false, pseudonym: firmPseudonym(firm.id, codeOf) };
}
