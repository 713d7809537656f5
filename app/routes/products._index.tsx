import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Pager, withParam } from "../components/Pager";
import { ProductTermsList } from "../components/products";
import { ipTypeLabel } from "../domain/ip";
import { parseYuanToFen } from "../domain/money";
import { isPledgeIpType, PLEDGE_IP_TYPES } from "../domain/product";
import { isRegionCode } from "../domain/regions";
import { productTermsFromRow } from "../domain/matching/rows";
import { listCatalogue, parsePage, type CatalogueFilters } from "../models/product.server";
import { can } from "../domain/permissions";
import { authorizeVisitor } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { pageDescription, pageTitle } from "../utils/meta";
import { RegionOptions } from "../components/RegionOptions";

/** Public: every bank's active products, no log-in needed. */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const q = url.searchParams;
  const raw = {
    region: q.get("region") ?? "",
    ipType: q.get("ipType") ?? "",
    amount: q.get("amount") ?? "",
    term: q.get("term") ?? "",
  };
  const filters: CatalogueFilters = {};
  if (isRegionCode(raw.region)) filters.regionCode = raw.region;
  if (isPledgeIpType(raw.ipType)) filters.ipType = raw.ipType;
  const amount = raw.amount ? parseYuanToFen(raw.amount) : null;
  if (amount !== null) filters.amountFen = amount;
  const term = Number(raw.term);
  if (raw.term && Number.isSafeInteger(term) && term > 0) filters.termMonths = term;
  const page = parsePage(q.get("page"));
  const [user, list] = await Promise.all([
    authorizeVisitor(request, "catalogue.view"),
    withDb(listCatalogue, filters, page),
  ]);
  return {
    filters: raw,
    filtered: Object.keys(filters).length > 0,
    // Who can post a request is asked here; visitors are invited to log in or register first.
    cta: !user ? ("login" as const) : can(user, "request.create") ? ("request" as const) : null,
    page: list.page,
    pages: list.pages,
    total: list.total,
    rows: list.rows.map((p) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      bankName: p.bank_name,
      terms: productTermsFromRow(p),
    })),
  };
}

export const meta: MetaFunction = ({ matches }) => [
  ...pageTitle(matches, "products:titles.catalogue"),
  ...pageDescription(matches, "products:titles.catalogueDescription"),
];

export default function Catalogue() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const location = useLocation();
  const cta =
    data.cta === "request" ? (
      <Link to="/firm/requests/new" className="button button-primary">
        {t("products:catalogue.firmCta")}
      </Link>
    ) : data.cta === "login" ? (
      <span className="checks">
        <Link
          to={`/login?redirectTo=${encodeURIComponent("/firm/requests/new")}`}
          className="button button-primary"
          data-testid="login-to-apply"
        >
          {t("products:catalogue.loginToApply")}
        </Link>
        <Link to="/register" className="button">
          {t("products:catalogue.registerToApply")}
        </Link>
      </span>
    ) : null;
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("products:catalogue.title")}</h1>
      <p className="muted">{t("products:catalogue.intro")}</p>
      <Form method="get" className="checks" style={{ alignItems: "flex-end" }}>
        <label>
          {t("products:catalogue.filterRegion")}{" "}
          <select name="region" defaultValue={data.filters.region}>
            <RegionOptions anyLabel={t("products:catalogue.any")} />
          </select>
        </label>
        <label>
          {t("products:catalogue.filterIpType")}{" "}
          <select name="ipType" defaultValue={data.filters.ipType}>
            <option value="">{t("products:catalogue.any")}</option>
            {PLEDGE_IP_TYPES.map((x) => (
              <option key={x} value={x}>
                {ipTypeLabel(t, x)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("products:catalogue.filterAmount")}{" "}
          <input name="amount" defaultValue={data.filters.amount} size={10} />
        </label>
        <label>
          {t("products:catalogue.filterTerm")}{" "}
          <input name="term" defaultValue={data.filters.term} size={4} inputMode="numeric" />
        </label>
        <button type="submit" className="button">
          {t("products:catalogue.apply")}
        </button>
        {data.filtered ? <Link to="/products">{t("products:catalogue.reset")}</Link> : null}
      </Form>
      <div className="checks" style={{ justifyContent: "space-between", alignItems: "center" }}>
        <span data-testid="catalogue-count">
          {t("products:catalogue.count", { count: data.total })}
        </span>
        {cta}
      </div>
      {data.rows.length === 0 ? (
        <div className="empty" data-testid="catalogue-empty">
          {t("products:catalogue.empty")}
        </div>
      ) : (
        <div className="grid grid-3">
          {data.rows.map((p) => (
            <article key={p.id} className="card" data-testid="catalogue-product">
              <h2>{p.name}</h2>
              <p className="muted">{p.bankName}</p>
              {p.description ? <p>{p.description}</p> : null}
              <ProductTermsList terms={p.terms} />
            </article>
          ))}
        </div>
      )}
      <Pager
        page={data.page}
        pages={data.pages}
        total={data.total}
        href={(n) => withParam(location.search, "page", n)}
      />
    </div>
  );
}
