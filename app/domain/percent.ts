/**
 * Percentages typed by a person ↔ integer basis points (1% = 100 bp), for rate inputs such as the
 * valuation's royalty or discount rate. Exact: "3.25" is 325 bp, "3.255" is refused rather than
 * rounded, so what is stored is what was typed.
 */
export function parsePercentToBp(input: string): number | null {
  const s = input
    .trim()
    .replace(/[\uFF10-\uFF19\uFF0E\uFF0D]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[%％]$/, "")
    .replace(/^\+/, "")
    .replace(/^[−–]/, "-");
  const m = /^(-?)(\d{1,6})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const bp = Number(m[2]) * 100 + Number((m[3] ?? "").padEnd(2, "0"));
  return m[1] === "-" ? (bp === 0 ? 0 : -bp) : bp;
}

/** 325 → "3.25", 1500 → "15", -200 → "-2": the value to put back into an input. */
export function bpToPercentInput(bp: number): string {
  if (!Number.isInteger(bp)) throw new RangeError(`bp must be an integer: ${bp}`);
  const sign = bp < 0 ? "-" : "";
  const abs = Math.abs(bp);
  const frac = abs % 100;
  return `${sign}${Math.floor(abs / 100)}${frac ? "." + String(frac).padStart(2, "0").replace(/0$/, "") : ""}`;
}
