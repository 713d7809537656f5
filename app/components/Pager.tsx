import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";

/** Previous / next links around "page X of Y, N in all": the one pager every list uses. */
export function Pager({
  page,
  pages,
  total,
  href,
  className = "muted",
}: {
  page: number;
  pages: number;
  total: number;
  href: (page: number) => string;
  className?: string;
}) {
  const { t } = useTranslation();
  return (
    <p className={className} data-testid="pager">
      {page > 1 ? <Link to={href(page - 1)}>{t("pagination.prev")}</Link> : null}{" "}
      {t("pagination.page", { page, pages, total })}{" "}
      {page < pages ? <Link to={href(page + 1)}>{t("pagination.next")}</Link> : null}
    </p>
  );
}

/** Query string with one parameter changed (page links keep the filters). */
export function withParam(search: string, name: string, value: string | number): string {
  const params = new URLSearchParams(search);
  params.set(name, String(value));
  return `?${params.toString()}`;
}
