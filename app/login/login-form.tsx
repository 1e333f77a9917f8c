"use client";

import Link from "next/link";
import { useActionState, useRef, useState } from "react";
import { LiveMessage } from "@/components/alert";
import { Button, SubmitButton } from "@/components/button";
import { Field } from "@/components/field";
import { NoPasskeysHere } from "@/components/no-passkeys-here";
import { useWebAuthnSupported } from "@/components/use-webauthn-supported";
import { messageFor } from "@/lib/shared/errors";
import { fieldError, type FormState } from "@/lib/shared/form-state";
import { continueWithIdentifier, emailLinkForTyped } from "./actions";
import { QrSignIn } from "./qr-sign-in";
import { usePasskeySignIn, type PasskeyPage } from "./use-passkey-sign-in";

/**
 * Step 1: one primary way, the passkey (the button, or the username field's suggestions); a known
 * name then Continue; the rest (a link and code by email) under "Other ways to sign in".
 */
export function LoginForm({ next, passkeyPage }: { next: string; passkeyPage: PasskeyPage }) {
  const [continued, continueAction] = useActionState<FormState, FormData>(continueWithIdentifier, {});
  const [emailed, emailAction] = useActionState<FormState, FormData>(emailLinkForTyped, {});
  const state = emailed.error || emailed.failure ? emailed : continued;
  const supported = useWebAuthnSupported();
  const passkey = usePasskeySignIn({ next, autofill: true, page: passkeyPage });
  const field = useRef<HTMLInputElement>(null);
  // No passkey here: the email way in is the next step, right below the field.
  const noPasskeyHere = passkey.error === "prompt_closed_get" || passkey.error === "signin_failed" || passkey.error === "unknown_passkey";

  // "Other ways to sign in" opens by itself where the passkey way can't work here.
  const [othersOpen, setOthersOpen] = useState(false);
  const showOthers = othersOpen || noPasskeyHere || !supported;

  return (
    <>
      <LiveMessage message={passkey.error ? messageFor(passkey.error) : state.failure ? messageFor(state.failure) : null} />
      {noPasskeyHere && (
        <Button
          variant="secondary"
          onClick={() => {
            setOthersOpen(true);
            field.current?.focus();
          }}
        >
          Email me a sign-in link instead
        </Button>
      )}
      <NoPasskeysHere />
      {supported && (
        <>
          <Button onClick={() => passkey.signIn("discoverable")} variant={noPasskeyHere ? "secondary" : "primary"} pending={passkey.pending} pendingLabel="Waiting for your passkey…">
            Sign in with a passkey
          </Button>
          <div className="flex items-center gap-3 text-sm text-zinc-600 dark:text-zinc-400" aria-hidden>
            <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
            or with your username
            <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
          </div>
        </>
      )}
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
          error={fieldError(state)}
          hint={noPasskeyHere ? "Type it, then choose “Email me a sign-in link”." : undefined}
        />
        <SubmitButton formAction={continueAction} variant={supported ? "secondary" : "primary"} pendingLabel="Continuing…">
          Continue
        </SubmitButton>
        <details open={showOthers} onToggle={(e) => setOthersOpen(e.currentTarget.open)} className="group" data-testid="other-ways">
          <summary className="flex min-h-11 cursor-pointer list-none items-center justify-center gap-1 rounded-lg text-sm font-medium text-zinc-700 hover:text-zinc-950 dark:text-zinc-300 dark:hover:text-white [&::-webkit-details-marker]:hidden">
            Other ways to sign in
            <svg viewBox="0 0 20 20" aria-hidden className="size-4 transition-transform group-open:rotate-180" fill="currentColor">
              <path d="M5.2 7.7a.75.75 0 0 1 1.06.04L10 11.7l3.74-3.96a.75.75 0 1 1 1.09 1.03l-4.28 4.53a.75.75 0 0 1-1.1 0L5.16 8.77a.75.75 0 0 1 .04-1.06Z" />
            </svg>
          </summary>
          <div className="mt-2 flex flex-col gap-2">
            <SubmitButton formAction={emailAction} variant="secondary" pendingLabel="Sending…">
              Email me a sign-in link
            </SubmitButton>
            <p className="text-center text-sm text-zinc-600 dark:text-zinc-400">A link and a code, for the name above. Works on a device without your passkey.</p>
            <QrSignIn next={next} inForm />
          </div>
        </details>
      </form>
      <p className="text-center text-sm text-zinc-600 dark:text-zinc-400">
        New here?{" "}
        <Link href="/signup" className="font-medium text-indigo-700 underline dark:text-indigo-300">
          Create an account
        </Link>
      </p>
    </>
  );
}
