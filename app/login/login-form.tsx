"use client";

import Link from "next/link";
import { useActionState } from "react";
import { LiveMessage } from "@/components/alert";
import { Button, SubmitButton } from "@/components/button";
import { Field } from "@/components/field";
import { useWebAuthnSupported } from "@/components/use-webauthn-supported";
import { continueWithIdentifier, type ContinueState } from "./actions";
import { usePasskeySignIn } from "./use-passkey-sign-in";

export function LoginForm({ next }: { next: string }) {
  const [state, action] = useActionState<ContinueState, FormData>(continueWithIdentifier, {});
  const supported = useWebAuthnSupported();
  const passkey = usePasskeySignIn({ next, autofill: true });

  return (
    <>
      <LiveMessage message={passkey.error} />
      {!supported && (
        <LiveMessage
          tone="info"
          message="This browser can't use passkeys. Enter your username or email and we'll email you a sign-in link."
        />
      )}
      <form action={action} onSubmit={passkey.stopAutofill} className="flex flex-col gap-4">
        <input type="hidden" name="next" value={next} />
        <Field
          label="Username or email"
          name="identifier"
          autoComplete="username webauthn"
          autoCapitalize="none"
          spellCheck={false}
          required
          maxLength={254}
          defaultValue={state.value}
          error={state.error}
        />
        <SubmitButton variant={supported ? "secondary" : "primary"} pendingLabel="Continuing…">
          Continue
        </SubmitButton>
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
