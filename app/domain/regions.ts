/** The 12 盟市 of Inner Mongolia with their GB/T 2260 codes. */
export const REGIONS = [
  { code: "150100", zh: "呼和浩特市", en: "Hohhot" },
  { code: "150200", zh: "包头市", en: "Baotou" },
  { code: "150300", zh: "乌海市", en: "Wuhai" },
  { code: "150400", zh: "赤峰市", en: "Chifeng" },
  { code: "150500", zh: "通辽市", en: "Tongliao" },
  { code: "150600", zh: "鄂尔多斯市", en: "Ordos" },
  { code: "150700", zh: "呼伦贝尔市", en: "Hulunbuir" },
  { code: "150800", zh: "巴彦淖尔市", en: "Bayannur" },
  { code: "150900", zh: "乌兰察布市", en: "Ulanqab" },
  { code: "152200", zh: "兴安盟", en: "Hinggan League" },
  { code: "152500", zh: "锡林郭勒盟", en: "Xilingol League" },
  { code: "152900", zh: "阿拉善盟", en: "Alxa League" },
] as const;

export type RegionCode = (typeof REGIONS)[number]["code"];
export const REGION_CODES: readonly RegionCode[] = REGIONS.map((r) => r.code);

export function isRegionCode(v: unknown): v is RegionCode {
  return typeof v === "string" && (REGION_CODES as readonly string[]).includes(v);
}

export function regionName(code: string, locale: string = "zh-CN"): string {
  const r = REGIONS.find((x) => x.code === code);
  if (!r) return code;
  return locale.startsWith("zh") ? r.zh : r.en;
}

/**
 * The 盟市 implied by an administrative area code (e.g. a USCC's characters 3–8): its first four
 * digits name the prefecture (150602 → 150600). Null outside Inner Mongolia.
 */
export function regionFromAreaCode(areaCode: string): RegionCode | null {
  if (!/^\d{6}$/.test(areaCode)) return null;
  const prefecture = areaCode.slice(0, 4) + "00";
  return isRegionCode(prefecture) ? prefecture : null;
}
