"use client";

import { LiveMessage } from "@/components/alert";
import { Button, SubmitButton } from "@/components/button";
import { requestEmailLink, switchUser } from "./actions";
import { usePasskeySignIn } from "./use-passkey-sign-in";

export function IdentifiedSignIn({ next }: { next: string }) {
  const passkey = usePasskeySignIn({ next, autofill: false });
  return (
    <>
      <LiveMessage message={passkey.error} />
      <Button onClick={() => passkey.signIn("identified")} pending={passkey.pending} pendingLabel="Waiting for your passkey…">
        Sign in with a passkey
      </Button>
      <form action={requestEmailLink}>
        <input type="hidden" name="next" value={next} />
        <SubmitButton variant="secondary" pendingLabel="Sending…">
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
