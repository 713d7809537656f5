import type { SubmissionResult } from "@conform-to/react";
import type { TFunction } from "i18next";
import type { OfferableAssetView } from "../components/request-form";
import { UserFacingError } from "../models/errors";
import type { OfferableAsset } from "../models/request.server";

/** The form field a request model error belongs to. */
const FIELD: Record<string, string> = {
  amountFen: "amount",
  termMonths: "term",
  maxRateBp: "maxRate",
  purpose: "purpose",
  assetIds: "assetIds",
};

/**
 * A UserFacingError of the request model as a conform reply (next to its field), or null for
 * any other error (rethrow it).
 */
export function requestErrorReply(
  e: unknown,
  t: TFunction,
  reply: (o: {
    fieldErrors?: Record<string, string[]>;
    formErrors?: string[];
  }) => SubmissionResult<string[]>,
): Response | null {
  if (!(e instanceof UserFacingError) || e.status === 404) return null;
  const message = t(e.key, e.params);
  const field = e.field ? FIELD[e.field] : undefined;
  return Response.json(
    reply(field ? { fieldErrors: { [field]: [message] } } : { formErrors: [message] }),
    { status: e.status },
  );
}

export function offerableAssetView(a: OfferableAsset): OfferableAssetView {
  return {
    id: a.id,
    ipType: a.ip_type,
    title: a.title,
    number: a.number,
    inForce: a.inForce,
    formalValueFen: a.formal_value_fen === null ? null : Number(a.formal_value_fen),
    formalValidUntil: a.formal_valid_until,
    formalExpired: a.formalExpired,
    indicativeValueFen: a.indicative_value_fen === null ? null : Number(a.indicative_value_fen),
  };
}
