import { createHmac } from "node:crypto";
import { getEnv } from "./env.server";

/**
 * The key for firm pseudonyms, derived from SESSION_SECRET (changing that secret renames them
 * all). Kept on the server: with the key, anyone could map every small firm id to its code.
 */
export function pseudonymSecret(): string {
  return createHmac("sha256", getEnv().SESSION_SECRET)
    .update("zhirong:alliance-pseudonym:v1")
    .digest("hex");
}

/**
 * The stable pseudonym code of a firm: the first 4 hex digits (upper case) of HMAC-SHA256 of its
 * organisation id under the pseudonym key. 4 hex digits give 65,536 codes, so two firms can share
 * one once there are a few hundred firms: acceptable, because a pseudonym is a label, never a key
 * (rows keep their application id). The wording around it is the domain's (firmPseudonym).
 */
export function pseudonymCode(firmOrgId: number, secret: string = pseudonymSecret()): string {
  return createHmac("sha256", secret)
    .update(`firm:${firmOrgId}`)
    .digest("hex")
    .slice(0, 4)
    .toUpperCase();
}
