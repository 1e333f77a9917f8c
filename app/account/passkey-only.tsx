"use client";

import { useActionState } from "react";
import { Alert } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { messageFor } from "@/lib/shared/errors";
import { setPasskeyOnlyAction, type FormState } from "./actions";
import { needsReauth, ReauthLink } from "./reauth-link";
import { useDone } from "./use-done";

/** The passkey-only switch, with the trade-off said before it is made. */
export function PasskeyOnly({ on, fresh, passkeyCount, minimum }: { on: boolean; fresh: boolean; passkeyCount: number; minimum: number }) {
  const [state, action] = useActionState<FormState, FormData>(setPasskeyOnlyAction, {});
  useDone(state);

  const status = (
    <p className="text-sm" data-testid="passkey-only-status">
      {on ? "On: sign-in links and codes are not sent; only your passkeys sign in." : "Off: on a device without a passkey, you can sign in with a link or code sent to your email."}
    </p>
  );
  if (!on && passkeyCount < minimum) {
    return (
      <>
        {status}
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Add {minimum - passkeyCount === 1 ? "one more passkey" : `${minimum - passkeyCount} passkeys`} first (for example one on your phone, or a security key): with only one, losing it would lock you out.</p>
      </>
    );
  }
  if (!fresh || needsReauth(state.failure)) {
    return (
      <>
        {status}
        <p className="text-sm">
          <ReauthLink section="passkey-only" /> to {on ? "turn it off" : "turn it on"}.
        </p>
      </>
    );
  }
  return (
    <form action={action} className="flex flex-col gap-3">
      {status}
      {!on && <p className="text-sm text-zinc-600 dark:text-zinc-400">The trade-off: if you lose every passkey, you can&apos;t get back in without contacting support. Keep at least {minimum}.</p>}
      {state.failure && <Alert tone="error">{messageFor(state.failure)}</Alert>}
      <input type="hidden" name="mode" value={on ? "off" : "on"} />
      <SubmitButton variant="secondary" className="sm:!w-auto sm:self-start" pendingLabel="Saving…">
        {on ? "Turn on sign-in by email" : "Turn on passkey-only sign-in"}
      </SubmitButton>
    </form>
  );
}
