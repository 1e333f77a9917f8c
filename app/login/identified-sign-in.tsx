"use client";

import { useActionState, useRef, useState } from "react";
import { LiveMessage } from "@/components/alert";
import { Button, SubmitButton } from "@/components/button";
import { useClientCapabilities } from "@/components/capabilities";
import { NoPasskeysHere } from "@/components/no-passkeys-here";
import { useWebAuthnSupported } from "@/components/use-webauthn-supported";
import { messageFor } from "@/lib/shared/errors";
import type { FormState } from "@/lib/shared/form-state";
import { emailLinkForGreeted, switchUser } from "./actions";
import { QrSignIn } from "./qr-sign-in";
import { usePasskeySignIn, type PasskeyPage } from "./use-passkey-sign-in";

/**
 * Step 2: the greeted person's passkey, or a link by email; or someone else. Where the browser
 * reports immediate mode, "Continue" comes first: this device's passkey at once or, if it has
 * none, the email link with nothing to read first; a phone or security key is still a button away.
 */
export function IdentifiedSignIn({ next, passkeyPage }: { next: string; passkeyPage: PasskeyPage }) {
  const passkey = usePasskeySignIn({ next, autofill: false, page: passkeyPage });
  const [emailed, emailAction] = useActionState<FormState, FormData>(emailLinkForGreeted, {});
  const emailForm = useRef<HTMLFormElement>(null);
  const [running, setRunning] = useState<"continue" | "passkey" | null>(null);
  const supported = useWebAuthnSupported();
  const capabilities = useClientCapabilities();
  const immediate = supported && capabilities?.immediateGet === true;
  // No passkey on this device, or none possible in this browser: the email way in becomes the main button.
  const noPasskeyHere = !supported || (!immediate && (passkey.error === "prompt_closed_get" || passkey.error === "signin_failed"));
  const error = passkey.error ?? emailed.failure;

  async function run(which: "continue" | "passkey") {
    setRunning(which);
    if (which === "passkey") return passkey.signIn("identified");
    const outcome = await passkey.continueHere();
    if (!outcome.done && outcome.noPasskeyHere) emailForm.current?.requestSubmit();
  }

  return (
    <>
      <LiveMessage message={error ? messageFor(error) : null} />
      <NoPasskeysHere />
      {immediate && (
        <div className="flex flex-col gap-1">
          <Button onClick={() => run("continue")} disabled={passkey.pending} pending={passkey.pending && running === "continue"} pendingLabel="Continuing…" aria-describedby="continue-hint">
            Continue
          </Button>
          <p id="continue-hint" className="text-center text-sm text-zinc-600 dark:text-zinc-400">
            With this device&apos;s passkey, or a link by email if it has none.
          </p>
        </div>
      )}
      {supported && (
        <Button
          onClick={() => run("passkey")}
          variant={immediate || noPasskeyHere ? "secondary" : "primary"}
          disabled={passkey.pending}
          pending={passkey.pending && running !== "continue"}
          pendingLabel="Waiting for your passkey…"
        >
          Sign in with a passkey
        </Button>
      )}
      <form ref={emailForm} action={emailAction}>
        <input type="hidden" name="next" value={next} />
        <SubmitButton variant={noPasskeyHere ? "primary" : "secondary"} pendingLabel="Sending…">
          Email me a sign-in link
        </SubmitButton>
      </form>
      <QrSignIn next={next} />
      <form action={switchUser}>
        <input type="hidden" name="next" value={next} />
        <SubmitButton variant="ghost" pendingLabel="Switching…">
          Switch user
        </SubmitButton>
      </form>
    </>
  );
}
