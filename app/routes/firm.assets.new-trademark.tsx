import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { TrademarkFields } from "../components/assets";
import { FormErrors } from "../components/Field";
import { createAsset, numberTakenMessageKey } from "../models/asset.server";
import { UserFacingError } from "../models/errors";
import { requireFirmActor } from "../utils/asset-routes.server";
import { trademarkFormSchema } from "../utils/asset-schemas";
import { getDb } from "../utils/db.server";
import { getServerT } from "../utils/i18n.server";
import { todayInChina } from "../utils/time";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireFirmActor(request);
  return { today: todayInChina() };
}

export async function action({ request }: ActionFunctionArgs) {
  const { actor } = await requireFirmActor(request);
  const { t, locale } = getServerT(request);
  const db = getDb();
  const submission = await parseWithZod(await request.formData(), {
    schema: trademarkFormSchema(t, locale, todayInChina()).superRefine(async (v, ctx) => {
      // zod still runs refinements after the transform reported problems; v is then empty.
      if (!v?.record) return;
      const key = await numberTakenMessageKey(db, actor.orgId, v.record);
      if (key) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["number"], message: t(key) });
    }),
    async: true,
  });
  if (submission.status !== "success") {
    return Response.json(submission.reply(), { status: 400 });
  }
  try {
    const id = await createAsset(db, actor, submission.value.record);
    return redirect(`/firm/assets/${id}?created=1`);
  } catch (e) {
    // A concurrent listing won the unique key after our check.
    if (e instanceof UserFacingError && e.field) {
      return Response.json(submission.reply({ fieldErrors: { [e.field]: [t(e.key, e.params)] } }), {
        status: 400,
      });
    }
    throw e;
  }
}

export const meta: MetaFunction = () => [{ title: "登记商标 · 知融" }];

export default function NewTrademark() {
  const { today } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const { t, i18n } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const [form, fields] = useForm({
    lastResult,
    defaultValue: { trademarkKind: "ordinary", renewals: "0" },
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: trademarkFormSchema(t, i18n.language, today) }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <div className="card" style={{ maxWidth: "44rem" }}>
      <h1>{t("assets:form.trademarkTitle")}</h1>
      <p className="muted">{t("assets:form.trademarkIntro")}</p>
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <TrademarkFields fields={fields} today={today} />
        <div className="checks">
          <button type="submit" className="button button-primary" disabled={busy}>
            {t("assets:form.create")}
          </button>
          <Link to="/firm/assets" className="button">
            {t("assets:form.cancel")}
          </Link>
        </div>
      </Form>
    </div>
  );
}
