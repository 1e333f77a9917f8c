"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/alert";
import { Button } from "@/components/button";
import { cannotMakePasskeyHere, clientCapabilities, useClientCapabilities } from "@/components/capabilities";
import { useToast } from "@/components/toast";
import { usePasskeyCeremony } from "@/components/use-passkey-ceremony";
import { useWebAuthnSupported } from "@/components/use-webauthn-supported";
import { messageFor } from "@/lib/shared/errors";
import type { AuthenticatorChoice } from "@/lib/webauthn";
import { addPasskeyOptionsAction, addPasskeyVerifyAction } from "./actions";
import { needsReauth, ReauthLink } from "./reauth-link";

const CHOICES: { choice: AuthenticatorChoice; label: string }[] = [
  { choice: "localDevice", label: "Add a passkey on this device" },
  { choice: "remoteDevice", label: "Add a passkey on your phone" },
  { choice: "securityKey", label: "Add a security key" },
];

/**
 * Adds a passkey: on this device, a phone (by QR code) or a security key (WebAuthn hints). Where
 * the browser says this device can't make one of its own, that is said plainly and the phone (if
 * it can reach one) and security key come first; "this device" stays last, as a passkey manager
 * add-on can still make one where the browser can't. A phone it can't reach isn't offered.
 */
export function AddPasskey() {
  const router = useRouter();
  const toast = useToast();
  const supported = useWebAuthnSupported();
  const capabilities = useClientCapabilities();
  const { create, pending, error } = usePasskeyCeremony();
  const [running, setRunning] = useState<AuthenticatorChoice | null>(null);

  async function add(choice: AuthenticatorChoice) {
    setRunning(choice);
    // Where the browser reports no platform authenticator (Firefox on Linux), asking for one is
    // refused before any prompt; without a preference, an add-on or a key can still make it.
    const requested = choice === "localDevice" && cannotMakePasskeyHere(await clientCapabilities()) ? undefined : choice;
    const outcome = await create(() => addPasskeyOptionsAction(requested), addPasskeyVerifyAction);
    setRunning(null);
    if (!outcome.done) return;
    toast(`Passkey added: ${outcome.result.name}.`);
    router.refresh();
  }

  if (!supported) return <Alert tone="info">This browser can&apos;t create passkeys. Keep signing in by email here, or add a passkey from a browser that supports them.</Alert>;

  const noPlatform = cannotMakePasskeyHere(capabilities);
  const noPhone = capabilities?.hybridTransport === false;
  const available = CHOICES.filter(({ choice }) => !(choice === "remoteDevice" && noPhone));
  const choices = noPlatform ? [...available.slice(1), available[0]!] : available;
  return (
    <div id="add-passkey" className="flex scroll-mt-6 flex-col gap-3">
      {noPlatform && (
        <p className="text-zinc-700 dark:text-zinc-300" data-testid="no-platform-passkey">
          This browser says this device can&apos;t make a passkey of its own.{" "}
          {noPhone ? "Add a security key, or add a passkey from your phone or another computer." : "Add one on your phone (you'll scan a QR code) or a security key."} Until then, keep signing in here with
          a link or code sent to your email.
        </p>
      )}
      <div aria-live="assertive" className="empty:hidden">
        {error && (
          <Alert tone="error">
            {messageFor(error)} {needsReauth(error) && <ReauthLink section="passkeys" />}
          </Alert>
        )}
      </div>
      <div className="flex flex-col gap-2 sm:flex-row sm:flex-wrap">
        {choices.map(({ choice, label }) => (
          <Button
            key={choice}
            onClick={() => add(choice)}
            variant="secondary"
            className="sm:!w-auto"
            disabled={pending && running !== choice}
            pending={pending && running === choice}
            pendingLabel="Waiting for your passkey…"
          >
            {label}
          </Button>
        ))}
      </div>
    </div>
  );
}
