import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { LoanCollateralPage, type CollateralActionData } from "../components/collateral";
import { collateralAction, collateralLoader } from "../utils/collateral-routes.server";
import { pageTitle } from "../utils/meta";

/** The bank's view of one loan's pledged assets: fees (confirm or record), legal events. */
export const loader = ({ request, params }: LoaderFunctionArgs) =>
  collateralLoader(request, params.id, "bank");

export const action = ({ request, params }: ActionFunctionArgs) =>
  collateralAction(request, params.id, "bank");

export const meta: MetaFunction = ({ params, matches }) =>
  pageTitle(matches, "collateral:titles.loanCollateral", { id: params.id ?? "" });

export default function BankLoanCollateral() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<CollateralActionData>();
  return <LoanCollateralPage {...d} actionData={actionData} />;
}
