"use client";

import { browserSupportsWebAuthnAutofill } from "@simplewebauthn/browser";
import { useCallback, useEffect, useRef } from "react";
import { clientCapabilities } from "@/components/capabilities";
import { collectSignIn, usePasskeyCeremony } from "@/components/use-passkey-ceremony";
import { passkeyOptions, passkeyVerify } from "./actions";

/** Renew the autofill request before its 5-minute challenge runs out. */
const AUTOFILL_RENEW_MS = 4 * 60 * 1000 + 30 * 1000;

/**
 * Passkey sign-in for the login page: a modal request on demand and, with `autofill`, a
 * conditional request in the username field that yields to the modal one and is renewed.
 * Each request has its own challenge on the server, so a second one (React runs effects twice
 * in development) never spoils the first.
 */
export function usePasskeySignIn({ next, autofill }: { next: string; autofill: boolean }) {
  const { get, getNow, cancel, error, pending } = usePasskeyCeremony();
  const autofillRun = useRef<{ stopped: boolean } | null>(null);

  const attempt = useCallback(
    async (mode: "discoverable" | "identified", conditional: boolean) => {
      const outcome = await get(() => passkeyOptions(mode), passkeyVerify, conditional);
      if (outcome.done) collectSignIn(outcome.result.grant, next);
      return outcome;
    },
    [get, next],
  );

  const stopAutofill = useCallback(() => {
    if (autofillRun.current) autofillRun.current.stopped = true;
    autofillRun.current = null;
    cancel();
  }, [cancel]);

  const startAutofill = useCallback(async () => {
    if (!autofill) return;
    // Claimed before the first await, so a stop that comes meanwhile stops this run.
    if (autofillRun.current) autofillRun.current.stopped = true;
    const token = { stopped: false };
    autofillRun.current = token;
    // A browser that says it can't offer passkeys in the field gets no request it would only refuse.
    if ((await clientCapabilities()).conditionalGet === false || !(await browserSupportsWebAuthnAutofill())) return;
    while (!token.stopped) {
      const timer = setTimeout(() => !token.stopped && cancel(), AUTOFILL_RENEW_MS);
      const outcome = await attempt("discoverable", true);
      clearTimeout(timer);
      // Renewed (or cut short) starts over; signed in, a picked passkey that failed (its error now
      // showing), or the button's request taking over, waits for the person.
      if (outcome.done || !outcome.aborted || outcome.superseded) break;
    }
  }, [attempt, autofill, cancel]);

  useEffect(() => {
    void startAutofill();
    return stopAutofill;
  }, [startAutofill, stopAutofill]);

  /** The "Sign in with a passkey" button: cancels autofill, runs a modal request. */
  const signIn = useCallback(
    async (mode: "discoverable" | "identified") => {
      // Starting a modal request cancels the autofill one (one browser request at a time).
      stopAutofill();
      if (!(await attempt(mode, false)).done) void startAutofill();
    },
    [attempt, startAutofill, stopAutofill],
  );

  /**
   * "Continue" where the browser has immediate mode: this device's passkey from its chooser at
   * once, or `noPasskeyHere` (nothing shown) for the caller to take the email way in.
   */
  const continueHere = useCallback(async () => {
    stopAutofill();
    const outcome = await getNow(() => passkeyOptions("discoverable"), passkeyVerify);
    if (outcome.done) collectSignIn(outcome.result.grant, next);
    return outcome;
  }, [getNow, next, stopAutofill]);

  return { signIn, continueHere, stopAutofill, error, pending };
}
