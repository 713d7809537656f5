import type { Resource } from "i18next";

/**
 * Every namespace of both languages, for the server, scripts and tests. Only the server holds them
 * all: the browser loads the namespaces a page used (app/utils/i18n-loaders.ts), so the strings of
 * two languages and every feature are not part of each page's JavaScript.
 */
// Each feature owns one namespace file per language; add new ones to both maps below.
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

export const resources = {
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

export const NAMESPACES = Object.keys(resources["zh-CN"]);
