"use client";

import type { ButtonHTMLAttributes } from "react";
import { useFormStatus } from "react-dom";

type Variant = "primary" | "secondary" | "ghost" | "danger";
type Size = "regular" | "small";

const styles: Record<Variant, string> = {
  primary: "bg-accent text-accent-fg shadow-sm hover:bg-accent-hover dark:bg-indigo-400 dark:text-zinc-950 dark:hover:bg-indigo-300",
  secondary: "border border-zinc-300 bg-white text-zinc-900 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800",
  ghost: "text-indigo-700 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-zinc-800",
  danger: "bg-red-700 text-white shadow-sm hover:bg-red-800",
};

const sizes: Record<Size, string> = {
  // Full width on phones: one thumb-sized target per row.
  regular: "w-full px-4 py-2.5 text-base",
  // Secondary actions inside a row: as wide as their label, still a 44 px touch target.
  small: "w-auto px-3 py-2 text-sm",
};

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
      className={`inline-flex min-h-11 items-center justify-center gap-2 whitespace-nowrap rounded-lg font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-60 ${sizes[size]} ${styles[variant]} ${className}`}
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
