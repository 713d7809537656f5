import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { LoanList } from "../components/loan";
import { withDb } from "../models/with-db.server";
import { LOAN_TABS } from "../domain/servicing/loan-tabs";
import { listLoans } from "../models/servicing/read.server";
import { pageTitle } from "../utils/meta";
import { authorize } from "../utils/permissions.server";

const Query = z.object({
  tab: z.enum(LOAN_TABS).catch("open"),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "loan.viewIncoming");
  const q = Query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const data = await withDb(listLoans, { kind: "bank", bankOrgId: user.org_id }, q);
  return { ...data, tab: q.tab };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "servicing:titles.bankLoans");

export default function BankLoans() {
  const d = useLoaderData<typeof loader>();
  return <LoanList side="bank" tabs={LOAN_TABS} {...d} />;
}
