"use client";

import { useActionState } from "react";
import { useFormStatus } from "react-dom";
import { Alert } from "@/components/alert";
import { messageFor } from "@/lib/shared/errors";
import { setPasskeyOnlyAction } from "./actions";
import type { FormState } from "@/lib/shared/form-state";
import { needsReauth, ReauthLink } from "./reauth-link";
import { useDone } from "./use-done";

/**
 * Sign-in by email as a switch row: its state in words beside it ("allowed" / "off"), the
 * trade-off said before it is made. The switch is on while email sign-in is allowed, so turning
 * it off is turning passkey-only on.
 */
export function PasskeyOnly({ on, fresh, passkeyCount, minimum }: { on: boolean; fresh: boolean; passkeyCount: number; minimum: number }) {
  const [state, action] = useActionState<FormState, FormData>(setPasskeyOnlyAction, {});
  useDone(state);
  const tooFew = !on && passkeyCount < minimum;
  const locked = !fresh || needsReauth(state.failure);

  return (
    <form action={action} className="flex flex-col gap-3">
      <input type="hidden" name="mode" value={on ? "off" : "on"} />
      <div className="flex items-start justify-between gap-4">
        <div className="min-w-0" data-testid="passkey-only-status">
          <p id="email-signin-label" className="font-medium">
            Sign-in by email: {on ? "off" : "allowed"}
          </p>
          <p id="email-signin-status" className="text-zinc-600 dark:text-zinc-400">
            {on ? "Links and codes are not sent; only your passkeys sign in." : "A device without your passkey can sign in with a link or code sent to your email."}
          </p>
        </div>
        <Switch checked={!on} disabled={tooFew || locked} />
      </div>
      {tooFew && (
        <p className="text-zinc-600 dark:text-zinc-400">
          Add {minimum - passkeyCount === 1 ? "one more passkey" : `${minimum - passkeyCount} passkeys`} first to turn it off: with only one, losing it would lock you out.
        </p>
      )}
      {!tooFew && locked && (
        <p>
          <ReauthLink section="passkey-only" /> to turn it {on ? "back on" : "off"}.
        </p>
      )}
      {!tooFew && !locked && !on && (
        <p className="text-zinc-600 dark:text-zinc-400">Turning it off means losing every passkey locks you out until support helps. Keep at least {minimum}.</p>
      )}
      {state.failure && !needsReauth(state.failure) && <Alert tone="error">{messageFor(state.failure)}</Alert>}
    </form>
  );
}

/** The switch itself: a submit button with role="switch", so its state is announced and pressing it makes the change. */
function Switch({ checked, disabled }: { checked: boolean; disabled: boolean }) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      role="switch"
      aria-checked={checked}
      aria-labelledby="email-signin-label"
      aria-describedby="email-signin-status"
      aria-busy={pending || undefined}
      disabled={disabled || pending}
      className="group relative mt-0.5 inline-flex min-h-11 min-w-14 shrink-0 items-center justify-center rounded-full outline-offset-2 disabled:cursor-not-allowed disabled:opacity-50"
    >
      <span
        aria-hidden
        className={`flex h-7 w-12 items-center rounded-full p-0.5 transition-colors ${checked ? "bg-indigo-600 dark:bg-indigo-400" : "bg-zinc-300 dark:bg-zinc-600"}`}
      >
        <span className={`size-6 rounded-full bg-white shadow transition-transform dark:bg-zinc-950 ${checked ? "translate-x-5" : ""}`} />
      </span>
    </button>
  );
}
