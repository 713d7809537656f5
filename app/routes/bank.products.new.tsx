import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import {
  NEW_PRODUCT_DEFAULTS,
  ProductForm,
  productFieldErrors,
  productFormSchema,
} from "../components/product-form";
import { createProduct, ProductValidationError } from "../models/product.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";

export async function loader({ request }: LoaderFunctionArgs) {
  await authorize(request, "product.create");
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await authorize(request, "product.create");
  const { t, locale } = getServerT(request);
  const submission = parseWithZod(await request.formData(), {
    schema: productFormSchema(t, locale),
  });
  if (submission.status !== "success") return Response.json(submission.reply(), { status: 400 });
  try {
    const id = await withDb(createProduct, {
      bankOrgId: user.org_id,
      userId: user.id,
      input: submission.value,
    });
    return redirect(`/bank/products/${id}?done=created`);
  } catch (e) {
    if (e instanceof ProductValidationError) {
      const fieldErrors = productFieldErrors(e.fieldErrors, locale);
      return Response.json(submission.reply({ fieldErrors }), { status: 400 });
    }
    throw e;
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "products:titles.new");

export default function NewProduct() {
  const lastResult = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
  const { t } = useTranslation();
  return (
    <div className="grid" style={{ gap: "1rem", maxWidth: "56rem" }}>
      <h1>{t("products:bank.newTitle")}</h1>
      <ProductForm
        lastResult={lastResult}
        defaultValue={NEW_PRODUCT_DEFAULTS}
        submitLabel={t("products:form.submitNew")}
      />
    </div>
  );
}
