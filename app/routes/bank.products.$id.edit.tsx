import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import {
  ProductForm,
  productFieldErrors,
  productFormDefaults,
  productFormSchema,
} from "../components/product-form";
import { formatMoney } from "../domain/money";
import { UserFacingError } from "../models/errors";
import { productTermsFromRow } from "../domain/matching/rows";
import { getBankProduct, ProductValidationError, updateProduct } from "../models/product.server";
import { assertCan, authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";

const Params = z.object({ id: z.coerce.number().int().positive() });

async function ownProduct(request: Request, params: unknown) {
  const user = await authorize(request, "product.edit");
  const p = Params.safeParse(params);
  const product = p.success ? await withDb(getBankProduct, user.org_id, p.data.id) : null;
  if (!product) throw new Response("Not Found", { status: 404 });
  assertCan(user, "product.edit", { bankOrgId: product.bank_org_id });
  return { user, product };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { product } = await ownProduct(request, params);
  return {
    id: product.id,
    name: product.name,
    version: product.version,
    quotaRemainingFen: Number(product.quota_remaining_fen),
    defaults: productFormDefaults(productTermsFromRow(product), product.description),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, product } = await ownProduct(request, params);
  const { t, locale } = getServerT(request);
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: productFormSchema(t, locale) });
  if (submission.status !== "success") return Response.json(submission.reply(), { status: 400 });
  const version = Number(formData.get("version"));
  try {
    await withDb(updateProduct, {
      bankOrgId: user.org_id,
      userId: user.id,
      productId: product.id,
      expectedVersion: Number.isSafeInteger(version) ? version : -1,
      input: submission.value,
    });
    return redirect(`/bank/products/${product.id}?done=saved`);
  } catch (e) {
    if (e instanceof ProductValidationError) {
      return Response.json(
        submission.reply({ fieldErrors: productFieldErrors(e.fieldErrors, locale) }),
        { status: 400 },
      );
    }
    if (e instanceof UserFacingError && e.status !== 404) {
      return Response.json(submission.reply({ formErrors: [t(e.key, e.params)] }), {
        status: e.status,
      });
    }
    throw e;
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "products:titles.edit");

export default function EditProduct() {
  const data = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
  const { t, i18n } = useTranslation();
  return (
    <div className="grid" style={{ gap: "1rem", maxWidth: "56rem" }}>
      <p>
        <Link to={`/bank/products/${data.id}`}>← {data.name}</Link>
      </p>
      <h1>{t("products:bank.editTitle", { name: data.name })}</h1>
      <ProductForm
        lastResult={lastResult}
        defaultValue={data.defaults}
        submitLabel={t("products:form.submitEdit")}
        version={data.version}
        quotaRemainingText={t("products:form.quotaRemainingNow", {
          remaining: formatMoney(data.quotaRemainingFen, i18n.language),
        })}
      />
    </div>
  );
}
