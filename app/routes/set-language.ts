import { parseWithZod } from "@conform-to/zod";
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { setUserLocale } from "../models/mail-prefs.server";
import { withDb } from "../models/with-db.server";
import { getOptionalUser, safeRedirect } from "../utils/auth.server";
import { LOCALE_COOKIE, LOCALES } from "../utils/i18n";

const Schema = z.object({ locale: z.enum(LOCALES), redirectTo: z.string().optional() });

export async function action({ request }: ActionFunctionArgs) {
  const submission = parseWithZod(await request.formData(), { schema: Schema });
  const back = submission.payload.redirectTo;
  const to = safeRedirect(typeof back === "string" ? back : null, "/");
  // An unknown language changes nothing: back to the page, no cookie.
  if (submission.status !== "success") return redirect(to);
  // A logged-in user's mails follow the language they chose (users.locale).
  const user = await getOptionalUser(request);
  if (user) await withDb(setUserLocale, user.id, submission.value.locale);
  return redirect(to, {
    headers: {
      "Set-Cookie": `${LOCALE_COOKIE}=${submission.value.locale}; Path=/; Max-Age=31536000; SameSite=Lax`,
    },
  });
}

export const loader = () => redirect("/");
