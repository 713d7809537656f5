import type { TFunction } from "i18next";
import { industryName } from "../domain/industry";
import { ipTypeLabel, isIpType } from "../domain/ip";
import { formatYears } from "../domain/matching";
import type { Message } from "../domain/message";
import { formatBp, formatMoney, type MoneyUnit } from "../domain/money";
import { regionName } from "../domain/regions";
import { problemField, type ApplicationProblem } from "../domain/application";
import { DEFAULT_LOCALE, getFixedT, isLocale } from "./i18n";

type Namer = (code: string, locale: string, t: TFunction) => string;

/**
 * Codes a sentence names by their words: a region, an industry, a firm status, an IP type. A
 * parameter is named by its last word (region, otherRegion; regions, leadingRegions).
 */
const NAMERS: Record<string, Namer> = {
  region: (c, l) => regionName(c, l),
  industry: (c, l) => industryName(c, l),
  flag: (c, _l, t) => t(`products:flagsInline.${c}`, { defaultValue: c }),
  // Mid-sentence the English type name is lower case ("accepts only invention patent").
  pledgeIpType: (c, l, t) => {
    const name = isIpType(c) ? ipTypeLabel(t, c) : c;
    return l.startsWith("zh") ? name : name.toLowerCase();
  },
};
const PLURALS: Record<string, string> = {
  regions: "region",
  industries: "industry",
  flags: "flag",
  pledgeIpTypes: "pledgeIpType",
};

function endsWithWord(name: string, word: string): boolean {
  return name === word || name.endsWith(word[0].toUpperCase() + word.slice(1));
}

function namerOf(name: string): Namer | undefined {
  const word = Object.keys(NAMERS).find((w) => endsWithWord(name, w));
  return word ? NAMERS[word] : undefined;
}

function listNamerOf(name: string): Namer | undefined {
  const word = Object.keys(PLURALS).find((w) => endsWithWord(name, w));
  return word ? NAMERS[PLURALS[word]] : undefined;
}

/**
 * Parameters of a message as a sentence needs them: `…Fen` becomes money in the reader's
 * language without the suffix (amountFen → amount) — by default in yuan with every fen shown (a
 * refusal by one fen must not read "50.00 万元 exceeds 50.00 万元"), or scaled to 万元 / million
 * for explanations that ask for the unit "auto" — `…Bp` a percentage ("—" for none), `…Months` a plain
 * number, `…Years` years to one decimal, truncated (a failing 4.96 never reads as the required
 * 5), an IP type its name (ipType → type), and region, industry, firm-status and pledge-type codes
 * their names; a list is joined the way the language lists things ("、" or ", "). Shared by
 * the deal pages, the matching explanations, the product form, the report and their tests.
 */
export function messageParams(
  params: Readonly<Record<string, unknown>>,
  locale: string,
  money: MoneyUnit = "yuan",
): Record<string, string | number> {
  const t = getFixedT(isLocale(locale) ? locale : DEFAULT_LOCALE);
  const list = (items: readonly (string | number)[]) => items.join(t("common:listSeparator"));
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) {
    const fen = k.endsWith("Fen");
    if (typeof v === "number" && fen) out[k.slice(0, -3)] = formatMoney(v, locale, money);
    else if (Array.isArray(v) && fen) {
      out[k.slice(0, -3)] = list(v.map((x) => formatMoney(Number(x), locale, money)));
    } else if (k.endsWith("Bp") && (typeof v === "number" || v === null)) {
      out[k.slice(0, -2)] = v === null ? "—" : formatBp(v);
    } else if (typeof v === "number" && k.endsWith("Months")) out[k.slice(0, -6)] = v;
    else if (typeof v === "number" && k.endsWith("Years")) out[k.slice(0, -5)] = formatYears(v);
    else if (k === "ipType" && isIpType(v)) out.type = ipTypeLabel(t, v);
    else if (Array.isArray(v)) {
      const name = listNamerOf(k);
      out[k] = list(name ? v.map((c) => name(String(c), locale, t)) : v);
    } else if (typeof v === "string") out[k] = namerOf(k)?.(v, locale, t) ?? v;
    else if (typeof v === "number") out[k] = v;
  }
  return out;
}

export function translateError(
  t: TFunction,
  key: string,
  params: Readonly<Record<string, unknown>>,
  locale: string,
  money: MoneyUnit = "yuan",
): string {
  const p = messageParams(params, locale, money);
  // A state named in a message reads as its label, not its code.
  if (typeof params.state === "string") p.state = t(`applications:states.${params.state}`);
  return t(key, p);
}

/** A domain message (matching, product checks, the report) in the reader's language. */
export function translateMessage(
  t: TFunction,
  m: Message,
  locale: string,
  money: MoneyUnit = "yuan",
): string {
  return translateError(t, m.key, m.params, locale, money);
}

export function problemMessage(t: TFunction, p: ApplicationProblem, locale: string): string {
  return translateError(t, `applications:problems.${p.code}`, { ...p }, locale);
}

/** Field errors for a form, each problem next to the field it is about. */
export function problemFieldErrors(
  t: TFunction,
  problems: readonly ApplicationProblem[],
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
