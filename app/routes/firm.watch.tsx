import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { WatchListPage } from "../components/collateral";
import { watchLoader } from "../utils/collateral-routes.server";
import { pageTitle } from "../utils/meta";

/** The firm's watch list: its own pledged assets whose fees or status need attention. */
export const loader = ({ request }: LoaderFunctionArgs) => watchLoader(request, "firm");

export const meta: MetaFunction = ({ matches }) =>
  pageTitle(matches, "collateral:titles.firmWatch");

export default function FirmWatch() {
  return <WatchListPage {...useLoaderData<typeof loader>()} />;
}
