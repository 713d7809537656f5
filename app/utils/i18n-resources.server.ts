/**
 * Every translation of both languages, for the server (pages, mails, exports) and the tests. A
 * `.server` module: the browser bundle leaves it out, and a tab fetches only its own language
 * (/i18n/:locale, see entry.client) — the two languages were half the home page's JavaScript.
 */
import { createHash } from "node:crypto";
import type { Resource } from "i18next";
import zhCommon from "../locales/zh-CN/common.json";
import enCommon from "../locales/en/common.json";
import zhAuth from "../locales/zh-CN/auth.json";
import enAuth from "../locales/en/auth.json";
import zhAssets from "../locales/zh-CN/assets.json";
import enAssets from "../locales/en/assets.json";
import zhAppraisal from "../locales/zh-CN/appraisal.json";
import enAppraisal from "../locales/en/appraisal.json";
import zhProducts from "../locales/zh-CN/products.json";
import enProducts from "../locales/en/products.json";
import zhApplications from "../locales/zh-CN/applications.json";
import enApplications from "../locales/en/applications.json";
import zhAlliance from "../locales/zh-CN/alliance.json";
import enAlliance from "../locales/en/alliance.json";
import zhMatching from "../locales/zh-CN/matching.json";
import enMatching from "../locales/en/matching.json";
import zhMail from "../locales/zh-CN/mail.json";
import enMail from "../locales/en/mail.json";
import zhServicing from "../locales/zh-CN/servicing.json";
import enServicing from "../locales/en/servicing.json";
import zhRisk from "../locales/zh-CN/risk.json";
import enRisk from "../locales/en/risk.json";
import zhAccount from "../locales/zh-CN/account.json";
import enAccount from "../locales/en/account.json";
import zhSecurity from "../locales/zh-CN/security.json";
import enSecurity from "../locales/en/security.json";
import zhTeam from "../locales/zh-CN/team.json";
import enTeam from "../locales/en/team.json";
import zhCollateral from "../locales/zh-CN/collateral.json";
import enCollateral from "../locales/en/collateral.json";

export const serverResources = {
  "zh-CN": {
    common: zhCommon,
    auth: zhAuth,
    assets: zhAssets,
    appraisal: zhAppraisal,
    products: zhProducts,
    applications: zhApplications,
    alliance: zhAlliance,
    matching: zhMatching,
    mail: zhMail,
    servicing: zhServicing,
    risk: zhRisk,
    account: zhAccount,
    security: zhSecurity,
    team: zhTeam,
    collateral: zhCollateral,
  },
  en: {
    common: enCommon,
    auth: enAuth,
    assets: enAssets,
    appraisal: enAppraisal,
    products: enProducts,
    applications: enApplications,
    alliance: enAlliance,
    matching: enMatching,
    mail: enMail,
    servicing: enServicing,
    risk: enRisk,
    account: enAccount,
    security: enSecurity,
    team: enTeam,
    collateral: enCollateral,
  },
} satisfies Resource;

/** A short hash of one language's translations: the version in its immutable URL. */
export const resourceVersions = Object.fromEntries(
  Object.entries(serverResources).map(([locale, namespaces]) => [
    locale,
    createHash("sha256").update(JSON.stringify(namespaces)).digest("hex").slice(0, 12),
  ]),
) as Record<keyof typeof serverResources, string>;
