"use client";

import Link from "next/link";
import { useActionState, useRef } from "react";
import { LiveMessage } from "@/components/alert";
import { Button, SubmitButton } from "@/components/button";
import { Field } from "@/components/field";
import { NoPasskeysHere } from "@/components/no-passkeys-here";
import { useWebAuthnSupported } from "@/components/use-webauthn-supported";
import { messageFor } from "@/lib/shared/errors";
import { continueWithIdentifier, emailLinkForTyped, type StepOneState } from "./actions";
import { usePasskeySignIn } from "./use-passkey-sign-in";

/** Step 1: a passkey from the username field's suggestions or the button; or a name, then Continue or a link by email. */
export function LoginForm({ next }: { next: string }) {
  const [continued, continueAction] = useActionState<StepOneState, FormData>(continueWithIdentifier, {});
  const [emailed, emailAction] = useActionState<StepOneState, FormData>(emailLinkForTyped, {});
  const state = emailed.error || emailed.failure ? emailed : continued;
  const supported = useWebAuthnSupported();
  const passkey = usePasskeySignIn({ next, autofill: true });
  const field = useRef<HTMLInputElement>(null);
  // No passkey here: the email way in is the next step, right below the field.
  const noPasskeyHere = passkey.error === "prompt_closed_get" || passkey.error === "signin_failed" || passkey.error === "unknown_passkey";

  return (
    <>
      <LiveMessage message={passkey.error ? messageFor(passkey.error) : state.failure ? messageFor(state.failure) : null} />
      {noPasskeyHere && (
        <Button variant="secondary" onClick={() => field.current?.focus()}>
          Email me a sign-in link instead
        </Button>
      )}
      <NoPasskeysHere />
      <form action={continueAction} onSubmit={passkey.stopAutofill} className="flex flex-col gap-4">
        <input type="hidden" name="next" value={next} />
        <Field
          ref={field}
          label="Username or email"
          name="identifier"
          autoComplete="username webauthn"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={254}
          defaultValue={state.value}
          error={state.error}
          hint={noPasskeyHere ? "Type it, then choose “Email me a sign-in link”." : undefined}
        />
        <div className="flex flex-col gap-3 sm:flex-row">
          <SubmitButton formAction={continueAction} variant={supported ? "secondary" : "primary"} pendingLabel="Continuing…" className="sm:flex-1">
            Continue
          </SubmitButton>
          <SubmitButton formAction={emailAction} variant="secondary" pendingLabel="Sending…" className="sm:flex-1">
            Email me a sign-in link
          </SubmitButton>
        </div>
      </form>
      {supported && (
        <>
          <div className="flex items-center gap-3 text-sm text-zinc-600 dark:text-zinc-400" aria-hidden>
            <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
            or
            <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
          </div>
          <Button onClick={() => passkey.signIn("discoverable")} pending={passkey.pending} pendingLabel="Waiting for your passkey…">
            Sign in with a passkey
          </Button>
        </>
      )}
      <p className="text-center text-sm text-zinc-600 dark:text-zinc-400">
        New here?{" "}
        <Link href="/signup" className="font-medium text-indigo-700 underline dark:text-indigo-300">
          Create an account
        </Link>
      </p>
    </>
  );
}
