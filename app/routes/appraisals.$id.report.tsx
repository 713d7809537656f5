import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { ValidityBadge } from "../components/appraisal";
import { formalValidity } from "../domain/appraisal";
import { ipTypeLabel, type IpType } from "../domain/ip";
import { formatMoney, formatMoneyExact } from "../domain/money";
import { getAppraisalReport } from "../models/appraisal.server";
import reportStyles from "../styles/appraisal-report.css";
import { can } from "../domain/permissions";
import { assertCan, authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { getEnv } from "../utils/env.server";
import { todayInChina } from "../utils/time";
import { dataPageTitle } from "../utils/meta";
import { qrSvg } from "../utils/qr.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: reportStyles }];

const Params = z.object({ id: z.coerce.number().int().positive() });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await authorize(request, "appraisalReport.view");
  const p = Params.safeParse(params);
  if (!p.success) throw new Response("Not Found", { status: 404 });
  const report = await withDb(getAppraisalReport, user, p.data.id);
  if (!report) throw new Response("Not Found", { status: 404 });
  const order = { firmOrgId: report.firm_org_id, valuerOrgId: report.valuer_org_id };
  assertCan(user, "appraisalReport.view", order);
  const origin = getEnv().APP_ORIGIN ?? new URL(request.url).origin;
  const { verification_token, ...rest } = report;
  const verifyUrl = `${origin}/verify/${verification_token}`;
  return {
    report: rest,
    verifyUrl,
    verifyQrSvg: await qrSvg(verifyUrl),
    validity: formalValidity(report.valid_until, todayInChina()),
    backTo: can(user, "appraisalOrder.viewOwn", order)
      ? `/firm/appraisals/${report.order_id}`
      : null,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  dataPageTitle(matches, data?.report.report_number, "appraisal:titles.report");

export default function AppraisalReport() {
  const { report: r, verifyUrl, verifyQrSvg, validity, backTo } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const yuan = (fen: number) => formatMoneyExact(fen, i18n.language);
  const patentNumber = r.asset_kind === "patent" && r.assetStatus === "granted";
  return (
    <div>
      <div className="report-actions no-print">
        {backTo ? <Link to={backTo}>← {t("appraisal:report.backToOrder")}</Link> : null}
        <button
          type="button"
          className="button button-primary"
          onClick={() => window.print()}
          data-testid="print"
        >
          {t("appraisal:report.print")}
        </button>
        <ValidityBadge validity={validity} />
      </div>
      <article className="report" data-testid="appraisal-report">
        <header>
          <div className="muted">{r.valuerName}</div>
          <h1>{t("appraisal:report.heading")}</h1>
          <div className="report-number" data-testid="report-number">
            {t("appraisal:report.number")}：{r.report_number}
          </div>
        </header>

        <section>
          <h2>{t("appraisal:report.engagement")}</h2>
          <table className="facts">
            <tbody>
              <tr>
                <th>{t("appraisal:report.client")}</th>
                <td>
                  {r.firmName}
                  {r.firmUscc ? `（${t("appraisal:report.uscc")} ${r.firmUscc}）` : ""}
                </td>
              </tr>
              <tr>
                <th>{t("appraisal:report.valuer")}</th>
                <td>{r.valuerName}</td>
              </tr>
              <tr>
                <th>{t("appraisal:report.valuerLicence")}</th>
                <td data-testid="valuer-licence">{r.valuerLicenceNumber ?? "—"}</td>
              </tr>
              <tr>
                <th>{t("appraisal:report.order")}</th>
                <td>{r.orderNumber}</td>
              </tr>
              <tr>
                <th>{t("appraisal:report.purpose")}</th>
                <td>{t("appraisal:report.purposeText")}</td>
              </tr>
            </tbody>
          </table>
        </section>

        <section>
          <h2>{t("appraisal:report.subject")}</h2>
          <table className="facts">
            <tbody>
              <tr>
                <th>{t("appraisal:asset.number")}</th>
                <td data-testid="asset-number">{patentNumber ? `ZL${r.number}` : r.number}</td>
              </tr>
              <tr>
                <th>{t("appraisal:asset.title")}</th>
                <td>{r.title}</td>
              </tr>
              <tr>
                <th>{t("appraisal:asset.type")}</th>
                <td>
                  {ipTypeLabel(t, r.ip_type as IpType)}
                  {r.nice_class ? ` · ${t("appraisal:asset.niceClassN", { n: r.nice_class })}` : ""}
                </td>
              </tr>
              {r.filing_date ? (
                <tr>
                  <th>{t("appraisal:asset.filingDate")}</th>
                  <td>{r.filing_date}</td>
                </tr>
              ) : null}
              {r.grant_date ? (
                <tr>
                  <th>{t("appraisal:asset.grantDate")}</th>
                  <td>{r.grant_date}</td>
                </tr>
              ) : null}
              {r.registration_date ? (
                <tr>
                  <th>{t("appraisal:asset.registrationDate")}</th>
                  <td>{r.registration_date}</td>
                </tr>
              ) : null}
              <tr>
                <th>{t("appraisal:asset.expiryDate")}</th>
                <td>{r.expiry_date}</td>
              </tr>
            </tbody>
          </table>
        </section>

        <section>
          <h2>{t("appraisal:report.conclusion")}</h2>
          <div className="values" data-testid="report-values">
            <div>
              <div className="muted">{t("appraisal:sign.low")}</div>
              <div>{yuan(r.low_fen)}</div>
            </div>
            <div className="central">
              <div className="muted">{t("appraisal:sign.central")}</div>
              <div data-testid="report-central">{yuan(r.central_fen)}</div>
              <div className="muted">{formatMoney(r.central_fen, i18n.language)}</div>
            </div>
            <div>
              <div className="muted">{t("appraisal:sign.high")}</div>
              <div>{yuan(r.high_fen)}</div>
            </div>
          </div>
          <table className="facts" style={{ marginTop: "0.75rem" }}>
            <tbody>
              <tr>
                <th>{t("appraisal:sign.method")}</th>
                <td>{t(`appraisal:method.${r.method}`)}</td>
              </tr>
              <tr>
                <th>{t("appraisal:report.basisDate")}</th>
                <td data-testid="basis-date">{r.basis_date}</td>
              </tr>
              <tr>
                <th>{t("appraisal:report.signedDate")}</th>
                <td data-testid="signed-date">{r.signed_date}</td>
              </tr>
              <tr>
                <th>{t("appraisal:report.validUntil")}</th>
                <td data-testid="valid-until">{r.valid_until}</td>
              </tr>
            </tbody>
          </table>
        </section>

        <section>
          <h2>{t("appraisal:sign.assumptions")}</h2>
          <p className="prose">{r.assumptions}</p>
        </section>

        <section>
          <h2>{t("appraisal:sign.reportText")}</h2>
          <p className="prose">{r.report_text}</p>
        </section>

        <section>
          <p className="muted">{t("appraisal:report.validityNote")}</p>
          <div className="signature" data-testid="signature-area">
            <div className="sign-line">
              <div>
                {t("appraisal:report.signedBy")}：{r.signerName}
              </div>
              <div data-testid="signer-licence">
                {t("appraisal:report.signerLicence")}：{r.signerLicenceNumber ?? "—"}
              </div>
              <div className="sign-blank">{t("appraisal:report.signatureHere")}</div>
            </div>
            <div className="stamp-box">
              <div className="stamp-circle" aria-hidden="true" />
              <div>
                {r.valuerName}
                <br />
                {t("appraisal:report.stampHere")}
                <br />
                {r.signed_date}
              </div>
            </div>
          </div>
          <div className="verify">
            <div
              className="verify-qr"
              data-testid="verify-qr"
              role="img"
              aria-label={t("appraisal:report.qrAlt")}
              dangerouslySetInnerHTML={{ __html: verifyQrSvg }}
            />
            <p>
              {t("appraisal:report.verifyAt")}
              <br />
              <span data-testid="verify-url">{verifyUrl}</span>
            </p>
          </div>
        </section>
      </article>
    </div>
  );
}
