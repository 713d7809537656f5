/**
 * Money is integer fen everywhere (1 元 = 100 fen). This is the one presentation of an amount
 * (docs/domain.md#money): the Chinese UI scales to 万元 (10⁴ 元) and 亿元 (10⁸ 元), the English UI
 * to ¥…M / ¥…B, each with at most two decimals and no trailing zeros ("8,759 万元", not
 * "8,759.00 万元"); below the first step the amount is exact yuan. formatMoneyExact gives every
 * fen, for the title/tap of a scaled figure and for amounts a person pays.
 */
export const FEN_PER_YUAN = 100;
export const FEN_PER_WAN = 1_000_000;
export const FEN_PER_YI = 10_000_000_000;
const FEN_PER_MILLION = 100_000_000;
const FEN_PER_BILLION = 100_000_000_000;

export type MoneyUnit = "auto" | "yuan" | "wan" | "yi";

function group(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Exact decimal rendering of fen / divisor with `digits` decimals, rounded half away from zero. */
function scaled(fen: number, divisor: number, digits: number, trim = false): string {
  const neg = fen < 0;
  const abs = BigInt(Math.abs(Math.trunc(fen)));
  const d = BigInt(divisor);
  const scale = 10n ** BigInt(digits);
  const q = (abs * scale * 2n + d) / (d * 2n); // round half up on the absolute value
  const int = (q / scale).toString();
  let frac = digits > 0 ? (q % scale).toString().padStart(digits, "0") : "";
  if (trim) frac = frac.replace(/0+$/, "");
  return (neg && q !== 0n ? "-" : "") + group(int) + (frac ? "." + frac : "");
}

/** Yuan with separators; the decimals only when there are fen ("3,000", "38,121.87"). */
function yuanText(fen: number): string {
  return scaled(fen, FEN_PER_YUAN, fen % FEN_PER_YUAN === 0 ? 0 : 2);
}

/** |fen| rounded to two decimals of `divisor` reaches `next` (9,999.999 万 → 1 亿). */
function roundsUpTo(fen: number, divisor: number, next: number): boolean {
  return Math.abs(fen) >= next - divisor / 200;
}

export function assertFen(fen: number): void {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not an integer amount of fen: ${fen}`);
}

export function isChinese(locale: string): boolean {
  return locale.startsWith("zh");
}

export function formatMoney(
  fen: number,
  locale: string = "zh-CN",
  unit: MoneyUnit = "auto",
): string {
  assertFen(fen);
  const abs = Math.abs(fen);
  if (isChinese(locale)) {
    const u =
      unit !== "auto"
        ? unit
        : abs >= FEN_PER_YI || roundsUpTo(fen, FEN_PER_WAN, FEN_PER_YI)
          ? "yi"
          : abs >= FEN_PER_WAN
            ? "wan"
            : "yuan";
    if (u === "yi") return `${scaled(fen, FEN_PER_YI, 2, true)} 亿元`;
    if (u === "wan") return `${scaled(fen, FEN_PER_WAN, 2, true)} 万元`;
    return `${yuanText(fen)} 元`;
  }
  const u =
    unit !== "auto"
      ? unit
      : abs >= FEN_PER_BILLION || roundsUpTo(fen, FEN_PER_MILLION, FEN_PER_BILLION)
        ? "yi"
        : abs >= FEN_PER_MILLION
          ? "wan"
          : "yuan";
  const sign = fen < 0 ? "-" : "";
  if (u === "yi") return `${sign}¥${scaled(abs, FEN_PER_BILLION, 2, true)}B`;
  if (u === "wan") return `${sign}¥${scaled(abs, FEN_PER_MILLION, 2, true)}M`;
  return `${sign}¥${yuanText(abs)}`;
}

/** Every fen, in the locale's convention: "38,121.87 元" / "¥38,121.87". */
export function formatMoneyExact(fen: number, locale: string = "zh-CN"): string {
  assertFen(fen);
  const text = scaled(Math.abs(fen), FEN_PER_YUAN, 2);
  const sign = fen < 0 ? "-" : "";
  return isChinese(locale) ? `${sign}${text} 元` : `${sign}¥${text}`;
}

/**
 * The unit a chart's axis is drawn in, chosen once from its largest value so the whole chart has
 * one unit: values under 1 万元 in 元, under 1 亿元 in 万元, else 亿元 (English: ¥, ¥M, ¥B).
 */
export function chartMoneyUnit(
  maxFen: number,
  locale: string,
): { divisor: number; label: string; unit: MoneyUnit } {
  const abs = Math.abs(maxFen);
  if (isChinese(locale)) {
    if (abs >= FEN_PER_YI) return { divisor: FEN_PER_YI, label: "亿元", unit: "yi" };
    if (abs >= FEN_PER_WAN) return { divisor: FEN_PER_WAN, label: "万元", unit: "wan" };
    return { divisor: FEN_PER_YUAN, label: "元", unit: "yuan" };
  }
  if (abs >= FEN_PER_BILLION) return { divisor: FEN_PER_BILLION, label: "¥B", unit: "yi" };
  if (abs >= FEN_PER_MILLION) return { divisor: FEN_PER_MILLION, label: "¥M", unit: "wan" };
  return { divisor: FEN_PER_YUAN, label: "¥", unit: "yuan" };
}

/** A number on a chart axis or in a chart label, at most two decimals, trailing zeros dropped. */
export function formatChartNumber(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  const [int, frac] = Math.abs(rounded).toFixed(2).split(".");
  const f = frac.replace(/0+$/, "");
  return (rounded < 0 ? "-" : "") + group(int) + (f ? "." + f : "");
}

/**
 * Exact yuan with separators, e.g. 1,234,567.89 — for tables and reports that need every fen.
 * `{ grouping: false }` leaves the separators out ("1234567.89"): a CSV cell a spreadsheet sums.
 */
export function formatYuanExact(fen: number, opts: { grouping?: boolean } = {}): string {
  assertFen(fen);
  const s = scaled(fen, FEN_PER_YUAN, 2);
  return opts.grouping === false ? s.replace(/,/g, "") : s;
}

/**
 * Fen as the yuan a person would type, to pre-fill an amount input: whole yuan without decimals
 * (500000 → "5000"), otherwise both decimals (500050 → "5000.50", 5 → "0.05"). No separators, so
 * parseYuanToFen reads it back to the same fen.
 */
export function fenToYuanInput(fen: number): string {
  assertFen(fen);
  const abs = Math.abs(fen);
  const cents = abs % FEN_PER_YUAN;
  const yuan = `${Math.floor(abs / FEN_PER_YUAN)}`;
  return `${fen < 0 ? "-" : ""}${yuan}${cents ? "." + String(cents).padStart(2, "0") : ""}`;
}

/**
 * Fen as a loan-sized amount a person would type, in the units the amount fields' hint names
 * ("可输入“50万”“1.5亿”"): whole 亿 to two decimals as "1.5亿", whole 万 as "300万", anything else
 * as fenToYuanInput. parseYuanToFen reads every form back to the same fen.
 */
export function fenToAmountInput(fen: number): string {
  assertFen(fen);
  const abs = Math.abs(fen);
  const sign = fen < 0 ? "-" : "";
  if (abs >= FEN_PER_YI && abs % (FEN_PER_YI / 100) === 0) {
    return `${sign}${scaled(abs, FEN_PER_YI, 2, true).replace(/,/g, "")}亿`;
  }
  if (abs >= FEN_PER_WAN && abs % FEN_PER_WAN === 0) return `${sign}${abs / FEN_PER_WAN}万`;
  return fenToYuanInput(fen);
}

/**
 * Fen as an amount in 万 or 亿 yuan for an input whose hint names that unit, exact to the fen:
 * 1_000_000_000_000 fen → "100亿"; 12_345 fen in 万 → "0.012345万".
 * Integer arithmetic only, so parseYuanToFen reads it back to the same fen (float division did not).
 */
export function fenToUnitInput(fen: number, unit: "万" | "亿"): string {
  assertFen(fen);
  const perUnit = BigInt(FEN_PER_YUAN) * (unit === "亿" ? 100_000_000n : 10_000n);
  const abs = BigInt(Math.abs(fen));
  const whole = abs / perUnit;
  const digits = String(perUnit).length - 1;
  const frac = String(abs % perUnit)
    .padStart(digits, "0")
    .replace(/0+$/, "");
  return `${fen < 0 ? "-" : ""}${whole}${frac ? "." + frac : ""}${unit}`;
}

/**
 * Parses a yuan amount typed by a person ("1,234.5", "１２３４", "12.3万", "1.5亿") into fen.
 * Returns null for anything that is not an exact amount with at most 2 decimals of yuan.
 */
export function parseYuanToFen(input: string): number | null {
  let s = input
    .trim()
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[,，\s¥￥]/g, "")
    .replace(/元$/, "");
  let multiplier = 1n;
  if (s.endsWith("亿")) {
    multiplier = 100_000_000n;
    s = s.slice(0, -1);
  } else if (s.endsWith("万")) {
    multiplier = 10_000n;
    s = s.slice(0, -1);
  }
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return null;
  const frac = m[2] ?? "";
  const scale = 10n ** BigInt(frac.length);
  const yuanTimesScale = BigInt(m[1]) * scale + (frac ? BigInt(frac) : 0n);
  const fenTimesScale = yuanTimesScale * multiplier * 100n;
  if (fenTimesScale % scale !== 0n) return null; // finer than one fen
  const fen = fenTimesScale / scale;
  if (fen > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(fen);
}

/**
 * Basis points shown as a percentage, rounded half away from zero to `digits` decimals: the one
 * display of a rate (inputs are pre-filled with bpToPercentInput in percent.ts). 345 → "3.45%",
 * formatBp(3000, 0) → "30%". `trim` drops trailing zeros (1500 → "15%", 262.5 → "2.63%");
 * `symbol: false` leaves the "%" off, for a CSV cell a spreadsheet sums.
 */
export function formatBp(
  bp: number,
  digits = 2,
  opts: { trim?: boolean; symbol?: boolean } = {},
): string {
  if (!Number.isFinite(bp)) throw new RangeError(`not a number of bp: ${bp}`);
  const scale = 10 ** digits;
  // |bp| × 10^digits ÷ 100 is exact for whole bp and lands on .5 exactly for a tie.
  const n = Math.round((Math.abs(bp) * scale) / 100);
  let frac = digits > 0 ? String(n % scale).padStart(digits, "0") : "";
  if (opts.trim) frac = frac.replace(/0+$/, "");
  const sign = bp < 0 && n !== 0 ? "-" : "";
  const text = `${sign}${Math.floor(n / scale)}${frac ? "." + frac : ""}`;
  return opts.symbol === false ? text : `${text}%`;
}
