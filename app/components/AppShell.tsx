import { Form, Link, NavLink, useLocation } from "@remix-run/react";
import { useEffect, useRef, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Role } from "../../db/schema";
import type { Locale } from "../utils/i18n";
import { useFocusableScrollBoxes } from "./scroll-regions";

export interface ShellUser {
  id: number;
  role: Role;
  displayName: string;
  orgName: string;
  /** False until a self-registered user verifies the e-mail: a banner says what waits on it. */
  emailVerified?: boolean;
  /** Unread in-app notifications (deals), shown next to the notifications link. */
  unread?: number;
}

/** The admin's items are grouped (运营 / 账户 / 系统); the other roles' lists are one group. */
export type NavGroup = "public" | "work" | "ops" | "accounts" | "system";

export interface NavItem {
  to: string;
  labelKey: string;
  group?: NavGroup;
}

/** Navigation per role; later features add their entries here. */
export const NAV_BY_ROLE: Record<Role, NavItem[]> = {
  firm: [
    { to: "/firm", labelKey: "nav.dashboard" },
    { to: "/firm/assets", labelKey: "nav.assets" },
    { to: "/firm/requests", labelKey: "nav.requests" },
    { to: "/firm/appraisals", labelKey: "nav.appraisals" },
    { to: "/firm/applications", labelKey: "applications:nav.firmApplications" },
    { to: "/firm/loans", labelKey: "servicing:nav.firmLoans" },
    { to: "/firm/subsidies", labelKey: "risk:nav.subsidies" },
    { to: "/firm/watch", labelKey: "collateral:nav.firmWatch" },
    { to: "/firm/profile", labelKey: "nav.profile" },
    { to: "/team", labelKey: "team:nav" },
  ],
  bank_officer: [
    { to: "/bank", labelKey: "nav.dashboard" },
    { to: "/bank/products", labelKey: "nav.bankProducts" },
    { to: "/bank/pipeline", labelKey: "nav.pipeline" },
    { to: "/bank/applications", labelKey: "applications:nav.bankApplications" },
    { to: "/bank/loans", labelKey: "servicing:nav.bankLoans" },
    { to: "/bank/watch", labelKey: "collateral:nav.bankWatch" },
    { to: "/risk/claims", labelKey: "risk:nav.claims" },
    { to: "/bank/disposals", labelKey: "risk:nav.bankDisposals" },
    { to: "/ledger", labelKey: "applications:nav.ledger" },
    { to: "/alliance/review", labelKey: "alliance:nav.review" },
    { to: "/team", labelKey: "team:nav" },
  ],
  valuer: [
    { to: "/valuer", labelKey: "nav.dashboard" },
    { to: "/valuer/orders", labelKey: "nav.valuerOrders" },
  ],
  alliance: [
    { to: "/alliance", labelKey: "nav.dashboard" },
    { to: "/alliance/review", labelKey: "alliance:nav.review" },
    { to: "/risk/pools", labelKey: "risk:nav.pools" },
    { to: "/risk/claims", labelKey: "risk:nav.claims" },
    { to: "/ledger", labelKey: "applications:nav.ledger" },
    { to: "/subsidies", labelKey: "risk:nav.programmes" },
    { to: "/alliance/quotes", labelKey: "risk:nav.quotes" },
  ],
  admin: [
    { to: "/admin", labelKey: "nav.dashboard", group: "ops" },
    { to: "/admin/ledger", labelKey: "applications:nav.adminLedger", group: "ops" },
    { to: "/admin/payments", labelKey: "nav.payments", group: "ops" },
    { to: "/collateral/legal-events", labelKey: "collateral:nav.import", group: "ops" },
    { to: "/alliance/review", labelKey: "alliance:nav.review", group: "ops" },
    { to: "/risk/pools", labelKey: "risk:nav.pools", group: "ops" },
    { to: "/risk/claims", labelKey: "risk:nav.claims", group: "ops" },
    { to: "/subsidies", labelKey: "risk:nav.programmes", group: "ops" },
    { to: "/admin/invitations", labelKey: "nav.invitations", group: "accounts" },
    { to: "/admin/users", labelKey: "security:nav.users", group: "accounts" },
    { to: "/admin/audit", labelKey: "nav.audit", group: "system" },
    { to: "/admin/settings/appraisal-fee", labelKey: "nav.settings", group: "system" },
    { to: "/admin/settings/target", labelKey: "applications:nav.target", group: "system" },
    { to: "/subsidies/lpr", labelKey: "risk:nav.lpr", group: "system" },
    { to: "/admin/settings/two-factor", labelKey: "security:nav.policy", group: "system" },
  ],
};

const PUBLIC_NAV: NavItem[] = [
  { to: "/", labelKey: "nav.home" },
  { to: "/products", labelKey: "nav.products" },
  { to: "/report", labelKey: "nav.report" },
];

/** The role's items in their groups, in order of first appearance. */
export function groupNav(items: NavItem[]): Array<{ group: NavGroup; items: NavItem[] }> {
  const out: Array<{ group: NavGroup; items: NavItem[] }> = [];
  for (const item of items) {
    const group = item.group ?? "work";
    const last = out.find((g) => g.group === group);
    if (last) last.items.push(item);
    else out.push({ group, items: [item] });
  }
  return out;
}

export function AppShell({
  user,
  locale,
  children,
}: {
  user: ShellUser | null;
  locale: Locale;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const location = useLocation();
  const here = location.pathname + location.search;
  const menuRef = useRef<HTMLDetailsElement>(null);
  // A link followed inside the phone menu closes it. Then the page is marked with the address it
  // shows: after a client-side navigation the address bar changes before this effect has run, and
  // the e2e tests wait for the mark before they touch the menu.
  useEffect(() => {
    if (menuRef.current) menuRef.current.open = false;
    document.documentElement.dataset.route = here;
  }, [here]);
  useFocusableScrollBoxes(here);
  const groups = [
    { group: "public" as const, items: PUBLIC_NAV },
    ...groupNav(user ? NAV_BY_ROLE[user.role] : []),
  ];
  // Marks the page as hydrated: the e2e crawl waits for it before it reads console errors.
  useEffect(() => {
    document.documentElement.dataset.hydrated = "1";
  }, []);
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="brand-mark">{t("appName")}</span>
          <span className="brand-tag">{t("appTagline")}</span>
        </Link>
        {/* Wide screens: one row of links, the admin's groups set apart by a divider. */}
        <nav className="topnav" aria-label={t("nav.main")}>
          {groups.map(({ group, items }) => (
            <div key={group} className="topnav-group">
              {items.map((item) => (
                <NavLink key={item.to} to={item.to} end>
                  {t(item.labelKey)}
                </NavLink>
              ))}
            </div>
          ))}
        </nav>
        {/* Phones (≤ 640 px): the same links in a disclosure that opens without JavaScript. */}
        <details className="nav-menu" ref={menuRef}>
          <summary data-testid="nav-menu-toggle">{t("nav.menu")}</summary>
          <nav className="nav-menu-panel" aria-label={t("nav.main")}>
            {groups.map(({ group, items }) => (
              <div key={group} className="nav-menu-group">
                <div className="nav-menu-title">{t(`nav.groups.${group}`)}</div>
                {items.map((item) => (
                  <NavLink key={item.to} to={item.to} end>
                    {t(item.labelKey)}
                  </NavLink>
                ))}
              </div>
            ))}
            {user ? (
              <div className="nav-menu-group">
                <div className="nav-menu-title">
                  {user.displayName} · {t(`roles.${user.role}`)}
                </div>
                <NavLink to="/account" end>
                  {t("account:nav.account")}
                </NavLink>
                <NavLink to="/account/two-factor">{t("security:nav.account")}</NavLink>
                <Form method="post" action="/logout">
                  <button type="submit" className="link-button">
                    {t("nav.logout")}
                  </button>
                </Form>
              </div>
            ) : null}
          </nav>
        </details>
        <div className="topbar-right">
          {/* A whole-document load: a tab holds the translations of one language only. */}
          <Form method="post" action="/set-language" className="lang-switch" reloadDocument>
            <input type="hidden" name="redirectTo" value={here} />
            <button
              type="submit"
              name="locale"
              value={locale === "zh-CN" ? "en" : "zh-CN"}
              data-testid="lang-switch"
            >
              {locale === "zh-CN" ? t("lang.en") : t("lang.zh-CN")}
            </button>
          </Form>
          {user ? (
            <>
              <NavLink to="/notifications" data-testid="notifications-link">
                {t("applications:nav.notifications")}
                {user.unread ? (
                  <span
                    className="badge badge-warn"
                    data-testid="unread-badge"
                    aria-label={t("applications:nav.unread", { count: user.unread })}
                    style={{ marginLeft: "0.25rem" }}
                  >
                    {user.unread}
                  </span>
                ) : null}
              </NavLink>
              <NavLink to="/account/two-factor" data-testid="security-link">
                {t("security:nav.account")}
              </NavLink>
              <Link
                to="/account"
                className="whoami"
                data-testid="whoami"
                title={t("account:nav.account")}
              >
                {user.displayName} · {t(`roles.${user.role}`)}
              </Link>
              <Form method="post" action="/logout" className="topbar-logout">
                <button type="submit" className="link-button" data-testid="logout">
                  {t("nav.logout")}
                </button>
              </Form>
            </>
          ) : (
            <>
              <Link to={`/login?redirectTo=${encodeURIComponent(here)}`}>{t("nav.login")}</Link>
              <Link to="/register" className="button button-primary">
                {t("nav.register")}
              </Link>
            </>
          )}
        </div>
      </header>
      {user && user.emailVerified === false ? (
        <div className="notice" role="status" data-testid="verify-banner">
          {t("account:banner.text")} <Link to="/account">{t("account:banner.resend")}</Link>
        </div>
      ) : null}
      <main className="content">{children}</main>
      <footer className="footer">{t("footer")}</footer>
    </div>
  );
}
