import { useTranslation } from "react-i18next";
import { industryName } from "../domain/industry";
import { ipTypeLabel } from "../domain/ip";
import { formatBp, formatMoney } from "../domain/money";
import {
  effectiveRateBp,
  PLEDGE_IP_TYPES,
  type LoanProductTerms,
  type PledgeIpType,
} from "../domain/product";
import { regionName } from "../domain/regions";

/** A product's terms in plain words and its state, shared by the catalogue, the bank's pages and the match page. */

export function ProductStateBadge({ active }: { active: boolean }) {
  const { t } = useTranslation();
  return (
    <span className={`badge ${active ? "badge-ok" : "badge-warn"}`} data-testid="product-state">
      {active ? t("products:state.active") : t("products:state.paused")}
    </span>
  );
}

/** Every term of a product as short sentences, in the reader's language. */
export function ProductTermsList({
  terms,
  bankName,
}: {
  terms: LoanProductTerms;
  bankName?: string;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const sep = t("common:listSeparator");
  const money = (fen: number) => formatMoney(fen, lang);
  const typeName = (x: PledgeIpType) => ipTypeLabel(t, x);
  const accepted = PLEDGE_IP_TYPES.filter((x) => terms.acceptedIpTypes.includes(x));
  const withYears = accepted.filter((x) => terms.minRemainingYears[x] > 0);
  const risk = terms.riskShare;
  const lines: string[] = [
    t("products:terms.amount", { min: money(terms.minAmountFen), max: money(terms.maxAmountFen) }),
    t("products:terms.term", { min: terms.minTermMonths, max: terms.maxTermMonths }),
    terms.interestSubsidyBp > 0
      ? t("products:terms.rateSubsidy", {
          min: formatBp(terms.minRateBp),
          max: formatBp(terms.maxRateBp),
          subsidy: formatBp(terms.interestSubsidyBp, 0),
          effective: formatBp(effectiveRateBp(terms.minRateBp, terms.interestSubsidyBp)),
        })
      : t("products:terms.rate", {
          min: formatBp(terms.minRateBp),
          max: formatBp(terms.maxRateBp),
        }),
    t("products:terms.pledgeRates", {
      list: accepted
        .map((x) =>
          t("products:terms.pledgeRateItem", {
            type: typeName(x),
            rate: formatBp(terms.pledgeRateBp[x], 0),
          }),
        )
        .join(sep),
    }),
    withYears.length === 0
      ? t("products:terms.remainingNone")
      : t("products:terms.remaining", {
          list: withYears
            .map((x) =>
              t("products:terms.remainingItem", {
                type: typeName(x),
                years: terms.minRemainingYears[x],
              }),
            )
            .join(sep),
        }),
  ];
  if (accepted.includes("trademark") && terms.trademarkMinAgeYears > 0) {
    lines.push(t("products:terms.trademarkAge", { years: terms.trademarkMinAgeYears }));
  }
  lines.push(
    terms.regions === "all"
      ? t("products:terms.regionsAll")
      : t("products:terms.regionsSome", {
          list: terms.regions.map((c) => regionName(c, lang)).join(sep),
        }),
    terms.industries === "all"
      ? t("products:terms.industriesAll")
      : t("products:terms.industriesSome", {
          list: terms.industries.map((c) => industryName(c, lang)).join(sep),
        }),
    terms.requiredFlags.length === 0
      ? t("products:terms.flagsNone")
      : t("products:terms.flagsSome", {
          list: terms.requiredFlags.map((f) => t(`products:flags.${f}`)).join(sep),
        }),
    terms.requiresFormalAppraisal
      ? t("products:terms.formalRequired")
      : t("products:terms.formalNotRequired"),
    risk.governmentBp + risk.insurerBp + risk.guarantorBp === 0
      ? t("products:terms.riskShareNone")
      : t("products:terms.riskShare", {
          government: formatBp(risk.governmentBp, 0),
          insurer: formatBp(risk.insurerBp, 0),
          guarantor: formatBp(risk.guarantorBp, 0),
        }),
    t("products:terms.quota", {
      remaining: money(terms.quotaRemainingFen),
      total: money(terms.quotaTotalFen),
    }),
  );
  if (bankName) lines.push(t("products:terms.bank", { bank: bankName }));
  return (
    <ul className="terms-list" data-testid="product-terms">
      {lines.map((l) => (
        <li key={l}>{l}</li>
      ))}
    </ul>
  );
}

// ---------------------------------------------------------------------------------------------
// The product form
// ---------------------------------------------------------------------------------------------

/** The form's field for each field path of validateProductTerms. */
