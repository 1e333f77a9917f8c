"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { useActionState, useState, useTransition } from "react";
import { LiveMessage } from "@/components/alert";
import { Button, SubmitButton } from "@/components/button";
import { CodeField } from "@/components/code-field";
import { describePasskeyError } from "@/components/passkey-errors";
import { useWebAuthnSupported } from "@/components/use-webauthn-supported";
import { reauthEmailCode, reauthEmailRequest, reauthPasskeyOptions, reauthPasskeyVerify, type FormState } from "../actions";

export function ConfirmWithPasskey() {
  const router = useRouter();
  const supported = useWebAuthnSupported();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  if (!supported) return null;

  function confirm() {
    setError(null);
    startTransition(async () => {
      const begun = await reauthPasskeyOptions();
      if (!begun.ok) return setError(begun.error);
      let response;
      try {
        response = await startAuthentication({ optionsJSON: begun.options });
      } catch (e) {
        return setError(describePasskeyError(e, "get"));
      }
      const result = await reauthPasskeyVerify(response);
      if (!result.ok) return setError(result.error);
      router.push("/account");
      router.refresh();
    });
  }

  return (
    <>
      <LiveMessage message={error} />
      <Button onClick={confirm} pending={pending} pendingLabel="Waiting for your passkey…">
        Confirm with a passkey
      </Button>
    </>
  );
}

export function ConfirmWithCode({ sent, email }: { sent: boolean; email: string }) {
  const [state, action] = useActionState<FormState, FormData>(reauthEmailCode, {});
  if (!sent) {
    return (
      <form action={reauthEmailRequest}>
        <SubmitButton variant="secondary" pendingLabel="Sending…">
          Email me a code
        </SubmitButton>
      </form>
    );
  }
  return (
    <form action={action} className="flex flex-col gap-3">
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        We sent a code to <strong className="[overflow-wrap:anywhere]">{email}</strong>.
      </p>
      <LiveMessage message={state.error} />
      <CodeField />
      <SubmitButton pendingLabel="Confirming…">Confirm with the code</SubmitButton>
    </form>
  );
}
