import { message, type Message } from "../message";

/**
 * The five-category risk classification (五级分类) by days past due, following
 * 《商业银行金融资产风险分类办法》(国家金融监督管理总局、中国人民银行令 2023 年第 1 号, in force
 * 2023-07-01), decision 011 and docs/domain.md#risk-classification:
 * - any principal or interest overdue → at least 关注 (special mention);
 * - overdue more than 90 days → at least 次级 (substandard);
 * - more than 270 days → at least 可疑 (doubtful);
 * - more than 360 days → 损失 (loss).
 * These are floors: the bank may classify more severely, with a reason, never less severely.
 */
export const RISK_CLASSES = [
  "normal",
  "special_mention",
  "substandard",
  "doubtful",
  "loss",
] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];

/** 不良贷款: the last three classes. */
export const NON_PERFORMING: readonly RiskClass[] = ["substandard", "doubtful", "loss"];

export function isRiskClass(v: unknown): v is RiskClass {
  return typeof v === "string" && (RISK_CLASSES as readonly string[]).includes(v);
}

export function severity(c: RiskClass): number {
  return RISK_CLASSES.indexOf(c);
}

export function isNonPerforming(c: RiskClass): boolean {
  return NON_PERFORMING.includes(c);
}

/** The least severe class the rules allow for a loan `daysPastDue` days overdue. */
export function classificationFloor(daysPastDue: number): RiskClass {
  if (daysPastDue > 360) return "loss";
  if (daysPastDue > 270) return "doubtful";
  if (daysPastDue > 90) return "substandard";
  if (daysPastDue > 0) return "special_mention";
  return "normal";
}

export interface ClassificationResult {
  riskClass: RiskClass;
  floor: RiskClass;
  /** True when the bank's override is what decided the class. */
  overridden: boolean;
}

/**
 * The class in force: the floor by days past due, or the bank's override when it is more severe.
 * An override less severe than the floor is ignored (the floor wins), so an old override cannot
 * hide a loan that has since gone further overdue.
 */
export function classify(daysPastDue: number, override: RiskClass | null): ClassificationResult {
  const floor = classificationFloor(daysPastDue);
  if (override && severity(override) > severity(floor)) {
    return { riskClass: override, floor, overridden: true };
  }
  return { riskClass: floor, floor, overridden: false };
}

/** Refuses an override that is not stricter than the floor, or has no reason. */
export function checkOverride(
  daysPastDue: number,
  requested: RiskClass,
  reason: string,
): Message | null {
  const floor = classificationFloor(daysPastDue);
  if (severity(requested) <= severity(floor)) {
    return message("servicing:refusals.overrideNotStricter", { floor });
  }
  if (reason.trim().length < 4) return message("servicing:refusals.reasonRequired");
  return null;
}
