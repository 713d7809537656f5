import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ipTypeLabel, type IpType } from "../domain/ip";

import { regionName } from "../domain/regions";
import { Money } from "./Money";

export interface LedgerTableRow {
  id: number;
  entryType: "disbursement" | "reversal";
  applicationId: number;
  reversesEntryId: number | null;
  reversedById: number | null;
  amountFen: number;
  valueDate: string;
  regionCode: string;
  bankName: string;
  firmName: string;
  ipType: IpType;
  reason: string | null;
}

/** Ledger entries with exact amounts (every fen), as the ledger and its admin page list them. */
export function LedgerTable({
  rows,
  applicationHref,
  extra,
}: {
  rows: LedgerTableRow[];
  applicationHref?: (id: number) => string | null;
  extra?: (row: LedgerTableRow) => ReactNode;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  return (
    <table className="data" data-testid="ledger-table">
      <thead>
        <tr>
          <th>{t("applications:ledger.entry")}</th>
          <th>{t("applications:common.valueDate")}</th>
          <th>{t("applications:ledger.type")}</th>
          <th>{t("applications:common.region")}</th>
          <th>{t("applications:common.bank")}</th>
          <th>{t("applications:common.firm")}</th>
          <th>{t("applications:common.ipType")}</th>
          <th className="num">¥</th>
          <th>{t("applications:ledger.application")}</th>
          {extra ? <th /> : null}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const href = applicationHref?.(r.applicationId) ?? null;
          return (
            <tr key={r.id} data-entry-id={r.id}>
              <td>#{r.id}</td>
              <td>{r.valueDate}</td>
              <td>
                {r.entryType === "disbursement"
                  ? t("applications:ledger.disbursement")
                  : t("applications:ledger.reverses", { id: r.reversesEntryId })}
                {r.reversedById ? (
                  <div className="muted">
                    {t("applications:ledger.reversedBy", { id: r.reversedById })}
                  </div>
                ) : null}
                {r.reason ? <div className="muted">“{r.reason}”</div> : null}
              </td>
              <td>{regionName(r.regionCode, lang)}</td>
              <td>{r.bankName}</td>
              <td>{r.firmName}</td>
              <td>{ipTypeLabel(t, r.ipType)}</td>
              <td className="num" data-fen={r.amountFen}>
                <Money fen={r.amountFen} />
              </td>
              <td>{href ? <Link to={href}>#{r.applicationId}</Link> : `#${r.applicationId}`}</td>
              {extra ? <td>{extra(r)}</td> : null}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
