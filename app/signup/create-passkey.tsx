"use client";

import { LiveMessage } from "@/components/alert";
import { Button, SubmitButton } from "@/components/button";
import { cannotMakePasskeyHere, useClientCapabilities } from "@/components/capabilities";
import { postToAction, usePasskeyCeremony } from "@/components/use-passkey-ceremony";
import { useWebAuthnSupported } from "@/components/use-webauthn-supported";
import { messageFor, type ErrorCode } from "@/lib/shared/errors";
import { restartSignup, signupPasskeyOptionsAction, skipPasskey } from "./actions";

/**
 * Step 3: the account's first passkey. Where the browser says this device can't make one, it says
 * so and offers a phone (if the browser can reach one) or email instead; a plain "Create a
 * passkey" stays, for a security key or a passkey manager add-on, which the browser doesn't count.
 */
export function CreatePasskey({ saveAction, lastError }: { saveAction: string; lastError: ErrorCode | null }) {
  const supported = useWebAuthnSupported();
  const capabilities = useClientCapabilities();
  const { create, pending, error } = usePasskeyCeremony(lastError);
  const noPlatform = cannotMakePasskeyHere(capabilities);
  const phone = noPlatform && capabilities?.hybridTransport === true;

  async function createPasskey() {
    // Saving is the navigation itself: on to the account, signed in, or back here with the failure.
    await create(
      () => signupPasskeyOptionsAction(phone ? "remoteDevice" : undefined),
      (response) => {
        postToAction(saveAction, { response: JSON.stringify(response) });
        return new Promise<{ ok: true }>(() => {});
      },
    );
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

  const canCreate = supported;
  return (
    <>
      <LiveMessage message={error ? messageFor(error) : null} />
      {!supported && (
        <LiveMessage
          tone="info"
          message="This browser can't create passkeys. Skip for now: you can sign in with a link or code sent to your email, and add a passkey from a browser that supports them."
        />
      )}
      {supported && noPlatform && (
        <LiveMessage
          tone="info"
          message={
            phone
              ? "This browser says this device can't make a passkey of its own. Create one on your phone instead (you'll scan a QR code), or skip for now and sign in with a link or code sent to your email."
              : "This browser says this device can't make a passkey of its own. Use a security key or a passkey manager if you have one, or skip for now: you can sign in with a link or code sent to your email, and add a passkey from your phone later."
          }
        />
      )}
      {canCreate && (
        <Button onClick={createPasskey} variant={noPlatform && !phone ? "secondary" : "primary"} pending={pending} pendingLabel="Waiting for your passkey…">
          {phone ? "Create a passkey on your phone" : "Create a passkey"}
        </Button>
      )}
      <form action={skipPasskey}>
        <SubmitButton variant={canCreate && !(noPlatform && !phone) ? "ghost" : "primary"} pendingLabel="Signing you in…">
          Skip for now
        </SubmitButton>
      </form>
    </>
  );
}
