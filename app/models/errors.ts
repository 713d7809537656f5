/**
 * The one error type for a user-facing refusal: a translation key (with params) and, when it
 * belongs to a form field, that field's name. Routes turn it into a field or form error.
 */
export class UserFacingError extends Error {
  constructor(
    public readonly key: string,
    public readonly params: Record<string, unknown> = {},
    public readonly field?: string,
    public readonly status = 400,
  ) {
    super(key);
    this.name = "UserFacingError";
  }
}

/** Someone else changed the row first (optimistic concurrency check failed). */
export class ConflictError extends UserFacingError {
  constructor(key = "common:errors.conflict", params: Record<string, unknown> = {}) {
    super(key, params, undefined, 409);
    this.name = "ConflictError";
  }
}

/** Unique-constraint violation on either engine. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; message?: string };
  return (
    err?.code === "ER_DUP_ENTRY" ||
    err?.errno === 1062 ||
    err?.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    err?.code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    /UNIQUE constraint failed|Duplicate entry/i.test(err?.message ?? "")
  );
}
