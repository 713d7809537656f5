import { Form, Link, NavLink, useLocation } from "@remix-run/react";
import { useEffect, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Role } from "../../db/schema";
import type { Locale } from "../utils/i18n";

export interface ShellUser {
  id: number;
  role: Role;
  displayName: string;
  orgName: string;
  /** Unread in-app notifications (deals), shown next to the notifications link. */
  unread?: number;
}

export interface NavItem {
  to: string;
  labelKey: string;
}

/** Navigation per role; later features add their entries here. */
export const NAV_BY_ROLE: Record<Role, NavItem[]> = {
  firm: [
    { to: "/firm", labelKey: "nav.dashboard" },
    { to: "/firm/assets", labelKey: "nav.assets" },
    { to: "/firm/requests", labelKey: "nav.requests" },
    { to: "/firm/appraisals", labelKey: "nav.appraisals" },
    { to: "/firm/applications", labelKey: "applications:nav.firmApplications" },
    { to: "/firm/profile", labelKey: "nav.profile" },
  ],
  bank_officer: [
    { to: "/bank", labelKey: "nav.dashboard" },
    { to: "/bank/products", labelKey: "nav.bankProducts" },
    { to: "/bank/pipeline", labelKey: "nav.pipeline" },
    { to: "/bank/applications", labelKey: "applications:nav.bankApplications" },
    { to: "/ledger", labelKey: "applications:nav.ledger" },
    { to: "/alliance/review", labelKey: "alliance:nav.review" },
  ],
  valuer: [
    { to: "/valuer", labelKey: "nav.dashboard" },
    { to: "/valuer/orders", labelKey: "nav.valuerOrders" },
  ],
  alliance: [
    { to: "/alliance", labelKey: "nav.dashboard" },
    { to: "/alliance/review", labelKey: "alliance:nav.review" },
    { to: "/ledger", labelKey: "applications:nav.ledger" },
  ],
  admin: [
    { to: "/admin", labelKey: "nav.dashboard" },
    { to: "/admin/invitations", labelKey: "nav.invitations" },
    { to: "/admin/audit", labelKey: "nav.audit" },
    { to: "/admin/payments", labelKey: "nav.payments" },
    { to: "/admin/settings/appraisal-fee", labelKey: "nav.settings" },
    { to: "/admin/ledger", labelKey: "applications:nav.adminLedger" },
    { to: "/admin/settings/target", labelKey: "applications:nav.target" },
    { to: "/alliance/review", labelKey: "alliance:nav.review" },
  ],
};

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
        <nav className="topnav" aria-label={t("nav.main")}>
          <NavLink to="/" end>
            {t("nav.home")}
          </NavLink>
          <NavLink to="/products" end>
            {t("nav.products")}
          </NavLink>
          <NavLink to="/report" end>
            {t("nav.report")}
          </NavLink>
          {user &&
            NAV_BY_ROLE[user.role].map((item) => (
              <NavLink key={item.to} to={item.to} end>
                {t(item.labelKey)}
              </NavLink>
            ))}
        </nav>
        <div className="topbar-right">
          <Form method="post" action="/set-language" className="lang-switch">
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
              <span className="whoami" data-testid="whoami">
                {user.displayName} · {t(`roles.${user.role}`)}
              </span>
              <Form method="post" action="/logout">
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
      <main className="content">{children}</main>
      <footer className="footer">{t("footer")}</footer>
    </div>
  );
}
