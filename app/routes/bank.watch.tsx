import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { WatchListPage } from "../components/collateral";
import { watchLoader } from "../utils/collateral-routes.server";
import { pageTitle } from "../utils/meta";

/** The bank's watch list: its open loans whose collateral needs attention, by group. */
export const loader = ({ request }: LoaderFunctionArgs) => watchLoader(request, "bank");

export const meta: MetaFunction = ({ matches }) =>
  pageTitle(matches, "collateral:titles.bankWatch");

export default function BankWatch() {
  return <WatchListPage {...useLoaderData<typeof loader>()} />;
}
