/**
 * Percentages typed by a person ↔ integer basis points (1% = 100 bp). The one parser and the one
 * input formatter for every rate field: product terms, a request's maximum rate, the approved
 * rate of a deal, the appraisal fee rate and the valuation's inputs. Exact: "3.25" is 325 bp,
 * "3.255" is refused rather than rounded, so what is stored is what was typed.
 *
 * Accepted spellings: ASCII or full-width digits, point and minus ("３．５", "－２"), an optional
 * leading "+" or minus, an optional trailing "%" or "％", spaces around the number and before
 * the "%". Refused: more than 2 decimals, a bare point (".5", "5."), exponents, thousands
 * separators. A minus sign is part of the spelling; whether a negative rate makes sense is each
 * caller's range check (a valuation's growth may be negative, a loan rate may not).
 */
export function parsePercentToBp(input: string): number | null {
  const s = input
    .trim()
    .replace(/[\uFF10-\uFF19\uFF0E\uFF0B\uFF0D]/g, (c) =>
      String.fromCharCode(c.charCodeAt(0) - 0xfee0),
    )
    .replace(/[%％]$/, "")
    .trim()
    .replace(/^\+/, "")
    .replace(/^[−–]/, "-");
  const m = /^(-?)(\d{1,6})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const bp = Number(m[2]) * 100 + Number((m[3] ?? "").padEnd(2, "0"));
  return m[1] === "-" ? (bp === 0 ? 0 : -bp) : bp;
}

/**
 * 325 → "3.25", 1500 → "15", 250 → "2.5", -200 → "-2": the shortest spelling that reads back to
 * the same bp, to pre-fill an input (shown rates use formatBp in money.ts).
 */
export function bpToPercentInput(bp: number): string {
  if (!Number.isSafeInteger(bp)) throw new RangeError(`bp must be an integer: ${bp}`);
  const sign = bp < 0 ? "-" : "";
  const abs = Math.abs(bp);
  const frac = abs % 100;
  return `${sign}${Math.floor(abs / 100)}${frac ? "." + String(frac).padStart(2, "0").replace(/0$/, "") : ""}`;
}
