"use client";

import { startRegistration } from "@simplewebauthn/browser";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Alert, LiveMessage } from "@/components/alert";
import { Button } from "@/components/button";
import { describePasskeyError } from "@/components/passkey-errors";
import { useWebAuthnSupported } from "@/components/use-webauthn-supported";
import { addPasskeyOptions, addPasskeyVerify } from "./actions";

/**
 * Adds a passkey: the prominent "on this device" prompt after an email sign-in, or a plain
 * button in the passkey list.
 */
export function AddPasskey({ prompt = false }: { prompt?: boolean }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [reauth, setReauth] = useState(false);
  const supported = useWebAuthnSupported();
  const [pending, startTransition] = useTransition();

  function add() {
    setError(null);
    startTransition(async () => {
      const begun = await addPasskeyOptions();
      if (!begun.ok) {
        setError(begun.error);
        setReauth(Boolean(begun.reauth));
        return;
      }
      let response;
      try {
        response = await startRegistration({ optionsJSON: begun.options });
      } catch (e) {
        setError(describePasskeyError(e, "create"));
        return;
      }
      const result = await addPasskeyVerify(response);
      if (!result.ok) {
        setError(result.error);
        setReauth(Boolean(result.reauth));
        return;
      }
      router.refresh();
    });
  }

  if (!supported) return <Alert tone="info">This browser can&apos;t create passkeys. Keep signing in by email here, or add a passkey from a browser that supports them.</Alert>;

  const control = reauth ? (
    <Link href="/account/confirm" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
      Confirm it&apos;s you
    </Link>
  ) : (
    <Button onClick={add} variant={prompt ? "primary" : "secondary"} className={prompt ? "" : "sm:!w-auto sm:self-start"} pending={pending} pendingLabel="Waiting for your passkey…">
      Add a passkey
    </Button>
  );
  if (!prompt) {
    return (
      <>
        <LiveMessage message={error} />
        {control}
      </>
    );
  }
  return (
    <section aria-labelledby="add-passkey-title" className="flex flex-col gap-3 rounded-xl border border-indigo-200 bg-indigo-50 p-4 dark:border-indigo-900 dark:bg-indigo-950">
      <h2 id="add-passkey-title" className="font-semibold">
        Add a passkey on this device
      </h2>
      <p className="text-sm text-zinc-700 dark:text-zinc-300">Next time, sign in here with your fingerprint, face or screen lock instead of waiting for an email.</p>
      <LiveMessage message={error} />
      {control}
    </section>
  );
}
