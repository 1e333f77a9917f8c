"use client";

import Link from "next/link";
import { useActionState, useEffect } from "react";
import { LiveMessage } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { CodeField } from "@/components/code-field";
import { Field } from "@/components/field";
import { applySignals } from "@/components/signals";
import { cancelEmailChangeAction, startEmailChangeAction, submitEmailChangeCode, updateNameAction, type FormState } from "./actions";

export function NameForm({ name }: { name: string }) {
  const [state, action] = useActionState<FormState, FormData>(updateNameAction, {});
  // The passkey manager shows the new display name from now on.
  useEffect(() => void applySignals(state.signals), [state.signals]);
  return (
    <form action={action} className="flex flex-col gap-3">
      <LiveMessage tone={state.ok ? "success" : "error"} message={state.ok ? "Name saved." : state.error} />
      <Field label="Name" id="profile-name" name="name" autoComplete="name" maxLength={64} defaultValue={name} hint="Optional. Shown in your passkey manager." />
      <SubmitButton variant="secondary" className="sm:!w-auto sm:self-start" pendingLabel="Saving…">
        Save name
      </SubmitButton>
    </form>
  );
}

export function EmailChange({ pendingEmail, fresh }: { pendingEmail: string | null; fresh: boolean }) {
  const [startState, start] = useActionState<FormState, FormData>(startEmailChangeAction, {});
  const [codeState, submitCode] = useActionState<FormState, FormData>(submitEmailChangeCode, {});
  const reauth = startState.reauth || codeState.reauth;

  if (!fresh || reauth) {
    return (
      <p className="text-sm">
        <Link href="/account/confirm" className="font-medium text-indigo-700 underline dark:text-indigo-300">
          Confirm it&apos;s you
        </Link>{" "}
        to change your email address.
      </p>
    );
  }
  if (pendingEmail) {
    return (
      <div className="flex flex-col gap-3">
        <p className="text-sm">
          We sent a code and a link to <strong className="[overflow-wrap:anywhere]">{pendingEmail}</strong>. Your address changes once you confirm it.
        </p>
        <form action={submitCode} className="flex flex-col gap-3">
          <LiveMessage message={codeState.error} />
          <CodeField label="Code sent to the new address" id="email-change-code" />
          <SubmitButton className="sm:!w-auto sm:self-start" pendingLabel="Confirming…">
            Confirm new email
          </SubmitButton>
        </form>
        <form action={cancelEmailChangeAction}>
          <SubmitButton variant="ghost" className="sm:!w-auto" pendingLabel="Cancelling…">
            Cancel the change
          </SubmitButton>
        </form>
      </div>
    );
  }
  return (
    <form action={start} className="flex flex-col gap-3">
      <LiveMessage message={startState.error} />
      <Field label="New email address" id="new-email" name="email" type="email" autoComplete="email" required />
      <SubmitButton variant="secondary" className="sm:!w-auto sm:self-start" pendingLabel="Sending code…">
        Change email
      </SubmitButton>
    </form>
  );
}
