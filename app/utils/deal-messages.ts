import type { TFunction } from "i18next";
import { ipTypeLabel, isIpType } from "../domain/ip";
import { formatBp, formatMoney } from "../domain/money";
import { problemField, type DealProblem } from "../domain/workflow";

/**
 * Parameters of a refusal as a sentence needs them: `…Fen` becomes money in the reader's
 * language without the suffix (amountFen → amount), in yuan with every fen shown (a refusal by
 * one fen must not read "50.00 万元 exceeds 50.00 万元"), `…Bp` a percentage, `…Months` a plain number,
 * and an IP type its name (ipType → type). Shared by the deal pages and their tests.
 */
export function messageParams(
  t: TFunction,
  params: Record<string, unknown>,
  locale: string,
): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === "number" && k.endsWith("Fen"))
      out[k.slice(0, -3)] = formatMoney(v, locale, "yuan");
    else if (typeof v === "number" && k.endsWith("Bp")) out[k.slice(0, -2)] = formatBp(v);
    else if (typeof v === "number" && k.endsWith("Months")) out[k.slice(0, -6)] = v;
    else if (k === "ipType" && isIpType(v)) out.type = ipTypeLabel(t, v);
    else if (typeof v === "string" || typeof v === "number") out[k] = v;
  }
  return out;
}

export function translateError(
  t: TFunction,
  key: string,
  params: Record<string, unknown>,
  locale: string,
): string {
  const p = messageParams(t, params, locale);
  // A state named in a message reads as its label, not its code.
  if (typeof params.state === "string") p.state = t(`deals:states.${params.state}`);
  return t(key, p);
}

export function problemMessage(t: TFunction, p: DealProblem, locale: string): string {
  return translateError(t, `deals:problems.${p.code}`, { ...p }, locale);
}

/** Field errors for a form, each problem next to the field it is about. */
export function problemFieldErrors(
  t: TFunction,
  problems: readonly DealProblem[],
  locale: string,
  fieldNames: Partial<Record<string, string>> = {},
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of problems) {
    const f = problemField(p);
    const name = fieldNames[f] ?? f;
    (out[name] ??= []).push(problemMessage(t, p, locale));
  }
  return out;
}
