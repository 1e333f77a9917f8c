"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/alert";
import { Button } from "@/components/button";
import { useToast } from "@/components/toast";
import { usePasskeyCeremony } from "@/components/use-passkey-ceremony";
import { useWebAuthnSupported } from "@/components/use-webauthn-supported";
import { messageFor } from "@/lib/errors";
import type { AuthenticatorChoice } from "@/lib/webauthn";
import { addPasskeyOptionsAction, addPasskeyVerifyAction } from "./actions";
import { needsReauth, ReauthLink } from "./reauth-link";

const CHOICES: { choice: AuthenticatorChoice; label: string }[] = [
  { choice: "localDevice", label: "Add a passkey on this device" },
  { choice: "remoteDevice", label: "Add a passkey on your phone" },
  { choice: "securityKey", label: "Add a security key" },
];

/**
 * Adds a passkey: the prominent "on this device" prompt after an email sign-in, or, in the
 * passkey list, this device, a phone (by QR code) or a security key (WebAuthn hints).
 */
export function AddPasskey({ prompt = false }: { prompt?: boolean }) {
  const router = useRouter();
  const toast = useToast();
  const supported = useWebAuthnSupported();
  const { create, pending, error } = usePasskeyCeremony();
  const [running, setRunning] = useState<AuthenticatorChoice | null>(null);

  async function add(choice: AuthenticatorChoice) {
    setRunning(choice);
    const outcome = await create(() => addPasskeyOptionsAction(choice), addPasskeyVerifyAction);
    setRunning(null);
    if (!outcome.done) return;
    toast(`Passkey added: ${outcome.result.name}.`);
    router.refresh();
  }

  if (!supported) return <Alert tone="info">This browser can&apos;t create passkeys. Keep signing in by email here, or add a passkey from a browser that supports them.</Alert>;

  const message = (
    <div aria-live="assertive" className="empty:hidden">
      {error && (
        <Alert tone="error">
          {messageFor(error)} {needsReauth(error) && <ReauthLink section="passkeys" />}
        </Alert>
      )}
    </div>
  );
  const choices = prompt ? CHOICES.slice(0, 1) : CHOICES;
  const buttons = (
    <div className={prompt ? "flex flex-col" : "flex flex-col gap-2 sm:flex-row sm:flex-wrap"}>
      {choices.map(({ choice, label }, i) => (
        <Button
          key={choice}
          onClick={() => add(choice)}
          variant={prompt ? "primary" : i === 0 ? "secondary" : "ghost"}
          className={prompt ? "" : "sm:!w-auto"}
          disabled={pending && running !== choice}
          pending={pending && running === choice}
          pendingLabel="Waiting for your passkey…"
        >
          {label}
        </Button>
      ))}
    </div>
  );
  if (!prompt) {
    return (
      <>
        {message}
        {buttons}
      </>
    );
  }
  return (
    <section aria-labelledby="add-passkey-title" className="flex flex-col gap-3 rounded-xl border border-indigo-200 bg-indigo-50 p-4 dark:border-indigo-900 dark:bg-indigo-950">
      <h2 id="add-passkey-title" className="font-semibold">
        Add a passkey on this device
      </h2>
      <p className="text-sm text-zinc-700 dark:text-zinc-300">Next time, sign in here with your fingerprint, face or screen lock instead of waiting for an email.</p>
      {message}
      {buttons}
    </section>
  );
}
