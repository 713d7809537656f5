import type { SubmissionResult } from "@conform-to/react";
import type { ReactNode } from "react";

/** A labelled form control with its hint and its first error, wired for screen readers. */
export function Field({
  id,
  label,
  hint,
  errors,
  children,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  errors?: string[];
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? (
        <div className="hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {errors?.length ? (
        <div className="error" id={`${id}-error`} role="alert">
          {errors[0]}
        </div>
      ) : null}
    </div>
  );
}

export function FormErrors({ errors }: { errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <div className="form-error" role="alert" data-testid="form-error">
      {errors.join(" ")}
    </div>
  );
}

/** The form-level errors of an action's reply, for a page that shows them without useForm. */
export function formErrorsOf(
  result: SubmissionResult<string[]> | null | undefined,
): string[] | undefined {
  return result?.error?.[""] ?? undefined;
}
