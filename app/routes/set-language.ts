import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { safeRedirect } from "../utils/auth.server";
import { isLocale, LOCALE_COOKIE } from "../utils/i18n";

export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData();
  const locale = form.get("locale");
  const to = safeRedirect(form.get("redirectTo"), "/");
  if (!isLocale(locale)) return redirect(to);
  return redirect(to, {
    headers: {
      "Set-Cookie": `${LOCALE_COOKIE}=${locale}; Path=/; Max-Age=31536000; SameSite=Lax`,
    },
  });
}

export const loader = () => redirect("/");
