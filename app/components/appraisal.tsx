import { useTranslation } from "react-i18next";
import { Pager as PageLinks } from "./Pager";
import type { AppraisalOrderStatus, FormalValidity } from "../domain/appraisal";

const STATUS_TONE: Record<AppraisalOrderStatus, string> = {
  awaiting_payment: "badge-warn",
  payment_failed: "badge-err",
  paid: "badge-ok",
  in_progress: "badge-ok",
  signed: "badge-ok",
  cancelled: "",
};

/** An appraisal order's status as a coloured badge. */
export function OrderStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  const tone = STATUS_TONE[status as AppraisalOrderStatus] ?? "";
  return (
    <span className={`badge ${tone}`} data-testid="order-status" data-status={status}>
      {t(`appraisal:status.${status}`)}
    </span>
  );
}

export function ValidityBadge({ validity }: { validity: FormalValidity }) {
  const { t } = useTranslation();
  const tone =
    validity === "valid" ? "badge-ok" : validity === "expiring" ? "badge-warn" : "badge-err";
  return (
    <span className={`badge ${tone}`} data-validity={validity}>
      {t(`appraisal:validity.${validity}`)}
    </span>
  );
}

/** Previous / next with the exact total, keeping the other query parameters. */
export function Pager({
  page,
  pageSize,
  total,
  search = "",
}: {
  page: number;
  pageSize: number;
  total: number;
  search?: string;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const href = (p: number) => {
    const q = new URLSearchParams(search);
    q.set("page", String(p));
    return `?${q.toString()}`;
  };
  return (
    <PageLinks page={page} pages={pages} total={total} href={href} className="muted no-print" />
  );
}
