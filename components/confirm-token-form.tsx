"use client";

import Link from "next/link";
import { useActionState } from "react";
import { LiveMessage } from "./alert";
import { SubmitButton } from "./button";

import type { FormState } from "@/lib/shared/form-state";

/**
 * The button on an emailed link's page: pressing it (a POST) spends the link, opening the page
 * never does. After an error, `fallback` offers the way on; once the flow has ended (`restart`),
 * the button goes.
 */
export function ConfirmTokenForm({
  action,
  token,
  label,
  pendingLabel,
  fallback,
  extra = {},
}: {
  action: (state: FormState, formData: FormData) => Promise<FormState>;
  token: string;
  /** Other fields the action needs besides the token. */
  extra?: Record<string, string>;
  label: string;
  pendingLabel: string;
  fallback?: { href: string; text: string };
}) {
  const [state, formAction] = useActionState(action, {});
  return (
    <form action={formAction} className="flex flex-col gap-4">
      <input type="hidden" name="token" value={token} />
      {Object.entries(extra).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <LiveMessage message={state.error} />
      {!state.restart && <SubmitButton pendingLabel={pendingLabel}>{label}</SubmitButton>}
      {state.error && fallback && (
        <Link href={fallback.href} className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
          {fallback.text}
        </Link>
      )}
    </form>
  );
}
