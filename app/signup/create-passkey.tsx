"use client";

import { startRegistration } from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { LiveMessage } from "@/components/alert";
import { Button, SubmitButton } from "@/components/button";
import { describePasskeyError } from "@/components/passkey-errors";
import { useWebAuthnSupported } from "@/components/use-webauthn-supported";
import { restartSignup, signupPasskeyOptions, signupPasskeyVerify, skipSignupPasskey } from "./actions";

export function CreatePasskey() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [restart, setRestart] = useState(false);
  const supported = useWebAuthnSupported();
  const [pending, startTransition] = useTransition();

  function create() {
    setError(null);
    startTransition(async () => {
      const begun = await signupPasskeyOptions();
      if (!begun.ok) {
        setError(begun.error);
        setRestart(Boolean(begun.restart));
        return;
      }
      let response;
      try {
        response = await startRegistration({ optionsJSON: begun.options });
      } catch (e) {
        setError(describePasskeyError(e, "create"));
        return;
      }
      const verified = await signupPasskeyVerify(response);
      if (!verified.ok) {
        setError(verified.error);
        setRestart(Boolean(verified.restart));
        return;
      }
      router.push(verified.next);
    });
  }

  if (restart) {
    return (
      <>
        <LiveMessage message={error} />
        <form action={restartSignup}>
          <SubmitButton pendingLabel="Starting over…">Start again</SubmitButton>
        </form>
      </>
    );
  }

  return (
    <>
      <LiveMessage message={error} />
      {supported ? (
        <Button onClick={create} pending={pending} pendingLabel="Waiting for your passkey…">
          Create a passkey
        </Button>
      ) : (
        <LiveMessage
          tone="info"
          message="This browser can't create passkeys. Skip for now: you can sign in with a link or code sent to your email, and add a passkey from a browser that supports them."
        />
      )}
      <form action={skipSignupPasskey}>
        <SubmitButton variant={supported ? "ghost" : "primary"} pendingLabel="Signing you in…">
          Skip for now
        </SubmitButton>
      </form>
    </>
  );
}
