import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { LoanCollateralPage, type CollateralActionData } from "../components/collateral";
import { collateralAction, collateralLoader } from "../utils/collateral-routes.server";
import { pageTitle } from "../utils/meta";

/** The firm's own loan's pledged assets: the fees it paid, legal events. */
export const loader = ({ request, params }: LoaderFunctionArgs) =>
  collateralLoader(request, params.id, "firm");

export const action = ({ request, params }: ActionFunctionArgs) =>
  collateralAction(request, params.id, "firm");

export const meta: MetaFunction = ({ params, matches }) =>
  pageTitle(matches, "collateral:titles.loanCollateral", { id: params.id ?? "" });

export default function FirmLoanCollateral() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<CollateralActionData>();
  return <LoanCollateralPage {...d} actionData={actionData} />;
}
