"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/alert";
import { Button } from "@/components/button";
import { cannotMakePasskeyHere, useClientCapabilities } from "@/components/capabilities";
import { useToast } from "@/components/toast";
import { usePasskeyCeremony } from "@/components/use-passkey-ceremony";
import { useWebAuthnSupported } from "@/components/use-webauthn-supported";
import { messageFor, type ErrorCode } from "@/lib/shared/errors";
import type { OfferAnswer, OfferReason } from "@/lib/passkey-offer";
import { addPasskeyOptionsAction, addPasskeyVerifyAction, answerPasskeyOfferAction } from "./actions";
import { needsReauth, ReauthLink } from "./reauth-link";

const WHY: Record<Exclude<OfferReason, "security-key">, string> = {
  email: "instead of waiting for an email",
  "other-device": "instead of reaching for your other device",
};

/**
 * The offer after a sign-in from elsewhere (lib/passkey-offer.ts decides when): create a passkey
 * on this device, not now, or don't ask on this device. After a security key, only a quiet link.
 * Shown only where the browser can make a passkey here, once it has said so.
 */
export function PasskeyOffer({ reason }: { reason: OfferReason }) {
  const router = useRouter();
  const toast = useToast();
  const supported = useWebAuthnSupported();
  const capabilities = useClientCapabilities();
  const { create, pending, error } = usePasskeyCeremony();
  const [answered, setAnswered] = useState(false);
  const [answerError, setAnswerError] = useState<ErrorCode | null>(null);

  async function createHere() {
    const outcome = await create(() => addPasskeyOptionsAction("localDevice"), addPasskeyVerifyAction);
    if (!outcome.done) return;
    setAnswered(true);
    toast(`Passkey added: ${outcome.result.name}.`);
    router.refresh();
  }

  async function answer(choice: OfferAnswer) {
    setAnswerError(null);
    const result = await answerPasskeyOfferAction(choice).catch(() => ({ ok: false as const, error: "unavailable" as const }));
    if (!result.ok) return setAnswerError(result.error);
    setAnswered(true);
    toast(choice === "never" ? "We won't ask again on this device. You can add a passkey under Passkeys any time." : "Not now. We'll ask again in a couple of weeks at most.");
  }

  if (!supported || !capabilities || cannotMakePasskeyHere(capabilities) || answered) return null;

  const shown = error ?? answerError;
  const message = shown && (
    <Alert tone="error">
      {messageFor(shown)} {needsReauth(shown) && <ReauthLink section="passkeys" />}
    </Alert>
  );

  if (reason === "security-key") {
    return (
      <div className="flex flex-col gap-2" data-testid="passkey-offer-quiet">
        <p className="text-sm text-zinc-700 dark:text-zinc-300">
          Signed in with a security key.{" "}
          <button type="button" onClick={createHere} disabled={pending} className="font-medium text-indigo-700 underline disabled:opacity-60 dark:text-indigo-300">
            {pending ? "Waiting for your passkey…" : "Also create a passkey on this device"}
          </button>
        </p>
        <div aria-live="assertive" className="empty:hidden">
          {message}
        </div>
      </div>
    );
  }

  return (
    <section aria-labelledby="passkey-offer-title" className="flex flex-col gap-3 rounded-xl border border-indigo-200 bg-indigo-50 p-4 dark:border-indigo-900 dark:bg-indigo-950">
      <h2 id="passkey-offer-title" className="font-semibold">
        Sign in faster next time
      </h2>
      <p className="text-sm text-zinc-700 dark:text-zinc-300">Create a passkey on this device, and sign in here with your fingerprint, face or screen lock {WHY[reason]}.</p>
      <div aria-live="assertive" className="empty:hidden">
        {message}
      </div>
      <div className="flex flex-col gap-2 sm:flex-row sm:flex-wrap">
        <Button onClick={createHere} className="sm:!w-auto" pending={pending} pendingLabel="Waiting for your passkey…">
          Create a passkey
        </Button>
        <Button onClick={() => answer("later")} variant="secondary" className="sm:!w-auto" disabled={pending}>
          Not now
        </Button>
        <Button onClick={() => answer("never")} variant="ghost" className="sm:!w-auto" disabled={pending}>
          Don&apos;t ask on this device
        </Button>
      </div>
    </section>
  );
}
