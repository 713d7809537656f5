import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import {
  CollateralSection,
  EntriesTable,
  LoanHeading,
  LoanSummary,
  ScheduleSection,
} from "../components/loan";
import { UserFacingError } from "../models/errors";
import { getLoanDetail } from "../models/servicing/read.server";
import { withDb } from "../models/with-db.server";
import { notFound, parseId } from "../utils/application-routes.server";
import { pageTitle } from "../utils/meta";
import { assertCan, authorize } from "../utils/permissions.server";

/** The firm's own loan: its schedule (printable), what it has paid and what it owes today. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await authorize(request, "loan.viewOwn");
  try {
    const loan = await withDb(
      getLoanDetail,
      { kind: "firm", firmOrgId: user.org_id },
      parseId(params.id),
    );
    assertCan(user, "loan.viewOwn", { firmOrgId: loan.account.firm_org_id });
    return { loan };
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 404) notFound();
    throw e;
  }
}

export const meta: MetaFunction = ({ params, matches }) =>
  pageTitle(matches, "servicing:titles.loan", { id: params.id ?? "" });

export default function FirmLoan() {
  const { loan } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <LoanHeading side="firm" loan={loan} />
      <LoanSummary loan={loan} />
      {loan.collateral ? <CollateralSection collateral={loan.collateral} /> : null}
      <ScheduleSection position={loan.position} />
      <section className="stack">
        <h2>{t("servicing:page.entries")}</h2>
        <EntriesTable entries={loan.entries} posters={loan.posters} />
      </section>
    </div>
  );
}
