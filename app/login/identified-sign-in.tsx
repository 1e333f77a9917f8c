"use client";

import { useActionState } from "react";
import { LiveMessage } from "@/components/alert";
import { Button, SubmitButton } from "@/components/button";
import { messageFor } from "@/lib/errors";
import { emailLinkForGreeted, switchUser, type StepTwoState } from "./actions";
import { usePasskeySignIn } from "./use-passkey-sign-in";

/** Step 2: the greeted person's passkey, or a link by email; or someone else. */
export function IdentifiedSignIn({ next }: { next: string }) {
  const passkey = usePasskeySignIn({ next, autofill: false });
  const [emailed, emailAction] = useActionState<StepTwoState, FormData>(emailLinkForGreeted, {});
  // No passkey on this device: the email way in becomes the main button.
  const noPasskeyHere = passkey.error === "prompt_closed_get" || passkey.error === "signin_failed";
  const error = passkey.error ?? emailed.failure;
  return (
    <>
      <LiveMessage message={error ? messageFor(error) : null} />
      <Button
        onClick={() => passkey.signIn("identified")}
        variant={noPasskeyHere ? "secondary" : "primary"}
        pending={passkey.pending}
        pendingLabel="Waiting for your passkey…"
      >
        Sign in with a passkey
      </Button>
      <form action={emailAction}>
        <input type="hidden" name="next" value={next} />
        <SubmitButton variant={noPasskeyHere ? "primary" : "secondary"} pendingLabel="Sending…">
          Email me a sign-in link
        </SubmitButton>
      </form>
      <form action={switchUser}>
        <input type="hidden" name="next" value={next} />
        <SubmitButton variant="ghost" pendingLabel="Switching…">
          Switch user
        </SubmitButton>
      </form>
    </>
  );
}
