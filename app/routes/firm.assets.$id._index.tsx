import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import {
  AppraisalValidityText,
  AssetStatusBadge,
  EstimateHistory,
  formatYears,
} from "../components/assets";
import { displayAssetNumber, isInForce, remainingYears } from "../domain/asset";
import { ipTypeLabel } from "../domain/ip";
import { formatMoney } from "../domain/money";
import { findEncumbrance, getAsset, isEncumbered } from "../models/asset.server";
import { listEstimates } from "../models/valuation.server";
import { idParam, ownAsset, requireFirmActor } from "../utils/asset-routes.server";
import { withDb } from "../models/with-db.server";
import { todayInChina } from "../utils/time";
import { dataPageTitle } from "../utils/meta";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, actor } = await requireFirmActor(request, "asset.view");
  const id = idParam(params.id);
  const asset = ownAsset(user, "asset.view", await withDb(getAsset, actor.orgId, id));
  const [encumbrance, estimates] = await Promise.all([
    withDb(findEncumbrance, id),
    withDb(listEstimates, actor.orgId, id),
  ]);
  return {
    asset: {
      ...asset,
      indicative_value_fen:
        asset.indicative_value_fen === null ? null : Number(asset.indicative_value_fen),
      formal_value_fen: asset.formal_value_fen === null ? null : Number(asset.formal_value_fen),
    },
    encumbered: isEncumbered(encumbrance),
    encumbranceApp: encumbrance.pledgedBy ?? encumbrance.applications[0]?.id ?? null,
    estimates,
    today: todayInChina(),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  dataPageTitle(matches, data?.asset.title, "assets:titles.asset");

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <tr>
      <th style={{ width: "12rem" }}>{label}</th>
      <td>{children}</td>
    </tr>
  );
}

export default function AssetDetail() {
  const { asset, encumbered, encumbranceApp, estimates, today } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const yesNo = (v: number) => (v ? t("assets:detail.yes") : t("assets:detail.no"));
  const isPatent = asset.asset_kind === "patent";
  const years = remainingYears(asset.expiry_date, today);
  return (
    <div className="grid" style={{ gap: "1.25rem" }}>
      <p className="no-print">
        <Link to="/firm/assets">← {t("assets:detail.back")}</Link>
      </p>
      {params.get("created") ? (
        <div className="notice" role="status">
          {t("assets:form.created")}
        </div>
      ) : null}
      <div className="checks" style={{ alignItems: "center", justifyContent: "space-between" }}>
        <h1 style={{ margin: 0 }}>
          {asset.title} <AssetStatusBadge status={asset.status} />
        </h1>
        <div className="checks">
          <Link
            to={`/firm/assets/${asset.id}/valuation`}
            className="button button-primary"
            data-testid="value-asset"
          >
            {t("assets:detail.value")}
          </Link>
          <Link to={`/firm/assets/${asset.id}/edit`} className="button">
            {t("assets:detail.edit")}
          </Link>
          <Link to={`/firm/assets/${asset.id}/delete`} className="button">
            {t("assets:detail.delete")}
          </Link>
        </div>
      </div>
      {encumbered ? (
        <div className="notice">
          {t("assets:detail.encumbered", { application: encumbranceApp })}
        </div>
      ) : null}
      {!isInForce(asset.status, asset.expiry_date, today) ? (
        <div className="notice">{t("assets:detail.notInForce")}</div>
      ) : null}
      <section className="card">
        <h2 style={{ marginTop: 0 }}>{t("assets:detail.legal")}</h2>
        <table className="data">
          <tbody>
            <Row label={t("assets:detail.number")}>
              <code data-testid="asset-number">
                {displayAssetNumber(asset.asset_kind, asset.number, asset.status)}
              </code>
            </Row>
            <Row label={t("assets:detail.type")}>{ipTypeLabel(t, asset.ip_type)}</Row>
            {isPatent ? (
              <>
                <Row label={t("assets:detail.filingDate")}>{asset.filing_date}</Row>
                <Row label={t("assets:detail.grantDate")}>{asset.grant_date ?? "—"}</Row>
                <Row label={t("assets:detail.ipcClass")}>{asset.ipc_class ?? "—"}</Row>
                <Row label={t("assets:detail.claimsCount")}>{asset.claims_count ?? "—"}</Row>
                <Row label={t("assets:detail.coOwned")}>{yesNo(asset.co_owned)}</Row>
              </>
            ) : (
              <>
                <Row label={t("assets:detail.registrationDate")}>{asset.registration_date}</Row>
                <Row label={t("assets:detail.niceClass")}>
                  {t("assets:detail.niceClassValue", { n: asset.nice_class })}
                </Row>
                <Row label={t("assets:detail.trademarkKind")}>
                  {t(`assets:trademarkKinds.${asset.trademark_kind ?? "ordinary"}`)}
                </Row>
                <Row label={t("assets:detail.geoIndication")}>{yesNo(asset.geo_indication)}</Row>
                <Row label={t("assets:detail.wellKnown")}>{yesNo(asset.well_known)}</Row>
                <Row label={t("assets:detail.renewals")}>{asset.renewals}</Row>
              </>
            )}
            <Row label={t("assets:detail.expiry")}>
              <span data-testid="asset-expiry">{asset.expiry_date}</span>
            </Row>
            <Row label={t("assets:detail.remaining")}>
              <span data-testid="asset-remaining">
                {t("assets:detail.remainingYears", { years: formatYears(years, i18n.language) })}
              </span>
            </Row>
          </tbody>
        </table>
      </section>
      <section className="card">
        <h2 style={{ marginTop: 0 }}>{t("assets:detail.values")}</h2>
        <table className="data">
          <tbody>
            <Row label={t("assets:detail.indicative")}>
              {asset.indicative_value_fen === null
                ? t("assets:portfolio.notValued")
                : formatMoney(asset.indicative_value_fen, i18n.language)}
            </Row>
            <Row label={t("assets:detail.formal")}>
              {asset.formal_value_fen === null
                ? "—"
                : formatMoney(asset.formal_value_fen, i18n.language)}
            </Row>
            <Row label={t("assets:detail.validity")}>
              <AppraisalValidityText validUntil={asset.formal_valid_until} today={today} />
            </Row>
          </tbody>
        </table>
        <h3>{t("assets:detail.history")}</h3>
        {estimates.length === 0 ? (
          <div className="empty">{t("assets:detail.noHistory")}</div>
        ) : (
          <EstimateHistory assetId={asset.id} estimates={estimates} />
        )}
      </section>
    </div>
  );
}
