"use client";

import { browserSupportsWebAuthnAutofill, type PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import { useCallback, useEffect, useRef } from "react";
import { clientCapabilities } from "@/components/capabilities";
import { usePageOptions } from "@/components/page-options";
import { signalUnknownCredential } from "@/components/signals";
import { postToAction, usePasskeyCeremony } from "@/components/use-passkey-ceremony";
import type { ErrorCode } from "@/lib/shared/errors";
import { passkeyOptions } from "./actions";

type Mode = "discoverable" | "identified";
/**
 * What the sign-in page gives its passkey sign-in: the request options it came with (and for which
 * request), the id of the action that signs in, and how the last attempt failed, if it just did.
 */
export type PasskeyPage = {
  options: { mode: Mode; options: PublicKeyCredentialRequestOptionsJSON } | null;
  signInAction: string;
  error: ErrorCode | null;
  unknownCredential: { rpID: string; credentialID: string } | null;
};

/** Renew the autofill request before its 5-minute challenge runs out. */
const AUTOFILL_RENEW_MS = 4 * 60 * 1000 + 30 * 1000;

/**
 * Passkey sign-in for the login page: a modal request on demand and, with `autofill`, a
 * conditional request in the username field that yields to the modal one and is renewed.
 * The first request for the page's mode starts with the options the page came with (no options
 * request); once a verify has spent their challenge, or they near their end, or for the other
 * mode, the options action gives fresh ones. A cancelled request (autofill giving way to the
 * button, or React running effects twice in development) spent nothing.
 */
export function usePasskeySignIn({ next, autofill, page }: { next: string; autofill: boolean; page: PasskeyPage }) {
  const { get, getNow, cancel, error, pending } = usePasskeyCeremony(page.error);
  const autofillRun = useRef<{ stopped: boolean } | null>(null);
  const pageMode = page.options?.mode;
  const fetchPageModeOptions = useCallback(() => passkeyOptions(pageMode), [pageMode]);
  const { begin: beginFromPage, spend } = usePageOptions(page.options?.options ?? null, fetchPageModeOptions);
  const begin = useCallback((mode: Mode) => (mode === pageMode ? beginFromPage() : passkeyOptions(mode)), [beginFromPage, pageMode]);
  const { signInAction, unknownCredential } = page;
  // Verifying is the navigation itself: the page posts the assertion and goes wherever the answer
  // sends it (on, signed in, or back here with the failure), so this never resolves.
  const verify = useCallback(
    (response: unknown) => {
      spend();
      postToAction(signInAction, { response: JSON.stringify(response), next });
      return new Promise<{ ok: true }>(() => {});
    },
    [next, signInAction, spend],
  );

  // Back from a failed attempt: ask the passkey manager to drop a passkey this server doesn't know
  // (the page checked that it doesn't).
  useEffect(() => {
    if (unknownCredential) void signalUnknownCredential(unknownCredential);
  }, [unknownCredential]);

  const attempt = useCallback((mode: Mode, conditional: boolean) => get(() => begin(mode), verify, conditional), [begin, get, verify]);

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
    async (mode: Mode) => {
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
    return getNow(() => begin("discoverable"), verify);
  }, [begin, getNow, stopAutofill, verify]);

  return { signIn, continueHere, stopAutofill, error, pending };
}
