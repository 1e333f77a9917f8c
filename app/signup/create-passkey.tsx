"use client";

import { LiveMessage } from "@/components/alert";
import { Button, SubmitButton } from "@/components/button";
import { collectSignIn, usePasskeyCeremony } from "@/components/use-passkey-ceremony";
import { useWebAuthnSupported } from "@/components/use-webauthn-supported";
import { messageFor } from "@/lib/errors";
import { restartSignup, signupPasskeyOptionsAction, signupPasskeyVerifyAction, skipPasskey } from "./actions";

export function CreatePasskey() {
  const supported = useWebAuthnSupported();
  const { create, pending, error } = usePasskeyCeremony();

  async function createPasskey() {
    const outcome = await create(signupPasskeyOptionsAction, signupPasskeyVerifyAction);
    if (outcome.done) collectSignIn(outcome.result.grant, "/account");
  }

  if (error === "signup_expired") {
    return (
      <>
        <LiveMessage message={messageFor(error)} />
        <form action={restartSignup}>
          <SubmitButton pendingLabel="Starting over…">Start again</SubmitButton>
        </form>
      </>
    );
  }

  return (
    <>
      <LiveMessage message={error ? messageFor(error) : null} />
      {supported ? (
        <Button onClick={createPasskey} pending={pending} pendingLabel="Waiting for your passkey…">
          Create a passkey
        </Button>
      ) : (
        <LiveMessage
          tone="info"
          message="This browser can't create passkeys. Skip for now: you can sign in with a link or code sent to your email, and add a passkey from a browser that supports them."
        />
      )}
      <form action={skipPasskey}>
        <SubmitButton variant={supported ? "ghost" : "primary"} pendingLabel="Signing you in…">
          Skip for now
        </SubmitButton>
      </form>
    </>
  );
}
