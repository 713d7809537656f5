import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { destroyUserSession } from "../utils/session.server";

export async function action({ request }: ActionFunctionArgs) {
  return redirect("/", { headers: { "Set-Cookie": await destroyUserSession(request) } });
}

export const loader = () => redirect("/");
