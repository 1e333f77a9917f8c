"use client";

import { WebAuthnAbortService, browserSupportsWebAuthnAutofill, sendSignal, startAuthentication } from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { describePasskeyError, isAbort } from "@/components/passkey-errors";
import { messageFor } from "@/lib/errors";
import { passkeyLoginOptions, passkeyLoginVerify } from "./actions";

/** Renew the autofill request before its 5-minute challenge runs out. */
const AUTOFILL_RENEW_MS = 4 * 60 * 1000 + 30 * 1000;

type Outcome = "signed-in" | "aborted" | "failed";

/** A server action that throws (a backend is down) becomes a failure with a message, not a stuck button. */
async function attempt<T>(action: () => Promise<T>): Promise<T | { ok: false; error: string }> {
  try {
    return await action();
  } catch {
    return { ok: false, error: messageFor("unavailable") };
  }
}

/**
 * Passkey sign-in for the login page: a modal request on demand and, when `autofill` is set,
 * a conditional request in the username field that yields to the modal one and is renewed.
 */
export function usePasskeySignIn({ next, autofill }: { next: string; autofill: boolean }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const autofillRun = useRef<{ stopped: boolean } | null>(null);

  const run = useCallback(
    async (mode: "discoverable" | "identified", conditional: boolean): Promise<Outcome> => {
      const begun = await attempt(() => passkeyLoginOptions(mode));
      if (!begun.ok) {
        if (!conditional) setError(begun.error);
        return "failed";
      }
      let response;
      try {
        response = await startAuthentication({ optionsJSON: begun.options, useBrowserAutofill: conditional });
      } catch (e) {
        if (isAbort(e) || (conditional && e instanceof Error && e.name === "AbortError")) return "aborted";
        if (!conditional) setError(describePasskeyError(e, "get"));
        return "failed";
      }
      setPending(true);
      const result = await attempt(() => passkeyLoginVerify(response, next));
      if (!result.ok) {
        setPending(false);
        setError(result.error);
        if ("unknownCredential" in result && result.unknownCredential) {
          // Ask the passkey manager to drop a passkey the server no longer knows (where supported).
          sendSignal({ signalName: "unknownCredential", ...result.unknownCredential }).catch(() => {});
        }
        return "failed";
      }
      router.push(result.next);
      router.refresh();
      return "signed-in";
    },
    [next, router],
  );

  const stopAutofill = useCallback(() => {
    if (autofillRun.current) autofillRun.current.stopped = true;
    autofillRun.current = null;
  }, []);

  const startAutofill = useCallback(async () => {
    if (!autofill || !(await browserSupportsWebAuthnAutofill())) return;
    stopAutofill();
    const token = { stopped: false };
    autofillRun.current = token;
    while (!token.stopped) {
      const timer = setTimeout(() => !token.stopped && WebAuthnAbortService.cancelCeremony(), AUTOFILL_RENEW_MS);
      const outcome = await run("discoverable", true);
      clearTimeout(timer);
      if (outcome !== "aborted") break;
    }
  }, [autofill, run, stopAutofill]);

  useEffect(() => {
    // startAutofill sets state only after awaiting the browser's passkey prompt, not synchronously.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void startAutofill();
    return () => {
      stopAutofill();
      WebAuthnAbortService.cancelCeremony();
    };
  }, [startAutofill, stopAutofill]);

  /** The "Sign in with a passkey" button: cancels autofill, runs a modal request, resumes autofill on failure. */
  const signIn = useCallback(
    async (mode: "discoverable" | "identified") => {
      setError(null);
      stopAutofill();
      setPending(true);
      const outcome = await run(mode, false);
      if (outcome !== "signed-in") {
        setPending(false);
        void startAutofill();
      }
    },
    [run, startAutofill, stopAutofill],
  );

  return { signIn, stopAutofill, error, pending };
}
