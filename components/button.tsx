"use client";

import type { ButtonHTMLAttributes } from "react";
import { useFormStatus } from "react-dom";
import { buttonClass, type Size, type Variant } from "./button-styles";

export type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: Variant;
  size?: Size;
  /** Work in progress: shows pendingLabel, blocks a second press. */
  pending?: boolean;
  pendingLabel?: string;
};

export function Button({ variant = "primary", size = "regular", pending = false, pendingLabel, className = "", children, disabled, ...rest }: ButtonProps) {
  return (
    <button
      {...rest}
      disabled={disabled || pending}
      aria-busy={pending || undefined}
      className={`${buttonClass(variant, size)} ${className}`}
    >
      {pending && <span aria-hidden className="size-4 shrink-0 animate-spin rounded-full border-2 border-current border-r-transparent" />}
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}

/**
 * A form's submit button: pending while its form's action runs, or, for a form with several
 * buttons each given its own formAction, while that button's action runs.
 */
export function SubmitButton(props: Omit<ButtonProps, "type" | "pending">) {
  const status = useFormStatus();
  const pending = status.pending && (props.formAction === undefined || status.action === props.formAction);
  return <Button type="submit" pending={pending} {...props} />;
}
