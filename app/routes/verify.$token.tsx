import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ValidityBadge } from "../components/appraisal";
import { formalValidity, type FormalValidity } from "../domain/appraisal";
import { ipTypeLabel, type IpType } from "../domain/ip";

import { verifyAppraisalToken } from "../models/appraisal.server";
import { withDb } from "../models/with-db.server";
import { authorizeVisitor } from "../utils/permissions.server";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";
import { Money } from "../components/Money";

/**
 * Public, no log-in: anyone holding a printed report (a bank, a registry clerk) checks that it is
 * genuine and still valid. Only the report's own facts are shown — never the firm's other data.
 */
interface VerifyData {
  found: Awaited<ReturnType<typeof verifyAppraisalToken>>;
  validity: FormalValidity | null;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await authorizeVisitor(request, "appraisal.verify");
  const found = await withDb(verifyAppraisalToken, params.token ?? "");
  if (!found) return data<VerifyData>({ found: null, validity: null }, { status: 404 });
  return data<VerifyData>({ found, validity: formalValidity(found.valid_until, todayInChina()) });
}

export const meta: MetaFunction = ({ matches }) => [
  ...pageTitle(matches, "appraisal:titles.verify"),
  { name: "robots", content: "noindex" },
];

export default function VerifyAppraisal() {
  // Without the single-fetch type augmentation, data() results are not inferred: say what it is.
  const { found: r, validity } = useLoaderData<typeof loader>() as unknown as VerifyData;
  const { t } = useTranslation();
  if (!r || !validity) {
    return (
      <section className="card" style={{ maxWidth: "40rem", margin: "2rem auto" }}>
        <h1>{t("appraisal:verify.title")}</h1>
        <p className="form-error" role="alert" data-testid="verify-result" data-result="unknown">
          {t("appraisal:verify.unknown")}
        </p>
      </section>
    );
  }
  const genuine = validity !== "expired";
  return (
    <section className="card stack" style={{ maxWidth: "40rem", margin: "2rem auto" }}>
      <h1>{t("appraisal:verify.title")}</h1>
      <p
        className={genuine ? "notice" : "form-error"}
        role="status"
        data-testid="verify-result"
        data-result={genuine ? "valid" : "expired"}
      >
        {genuine
          ? t("appraisal:verify.genuineValid", { until: r.valid_until })
          : t("appraisal:verify.genuineExpired", { until: r.valid_until })}{" "}
        <ValidityBadge validity={validity} />
      </p>
      <table className="data">
        <tbody>
          <tr>
            <th>{t("appraisal:report.number")}</th>
            <td data-testid="verify-report-number">{r.report_number}</td>
          </tr>
          <tr>
            <th>{t("appraisal:asset.number")}</th>
            <td>{r.number}</td>
          </tr>
          <tr>
            <th>{t("appraisal:asset.title")}</th>
            <td>
              {r.title}（{ipTypeLabel(t, r.ip_type as IpType)}）
            </td>
          </tr>
          <tr>
            <th>{t("appraisal:verify.range")}</th>
            <td>
              <Money fen={r.low_fen} /> – <Money fen={r.high_fen} />（
              {t("appraisal:verify.central")} <Money fen={r.central_fen} />）
            </td>
          </tr>
          <tr>
            <th>{t("appraisal:report.valuer")}</th>
            <td>{r.valuerName}</td>
          </tr>
          <tr>
            <th>{t("appraisal:report.valuerLicence")}</th>
            <td>{r.valuerLicenceNumber ?? "—"}</td>
          </tr>
          <tr>
            <th>{t("appraisal:report.signerLicence")}</th>
            <td>{r.signerLicenceNumber ?? "—"}</td>
          </tr>
          <tr>
            <th>{t("appraisal:report.basisDate")}</th>
            <td data-testid="verify-basis-date">{r.basis_date}</td>
          </tr>
          <tr>
            <th>{t("appraisal:report.signedDate")}</th>
            <td>{r.signed_date}</td>
          </tr>
          <tr>
            <th>{t("appraisal:report.validUntil")}</th>
            <td>{r.valid_until}</td>
          </tr>
        </tbody>
      </table>
      <p className="muted">{t("appraisal:verify.note")}</p>
    </section>
  );
}
