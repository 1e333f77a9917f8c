"use client";

import {
  WebAuthnAbortService,
  startAuthentication,
  startRegistration,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/browser";
import { useCallback, useEffect, useRef, useState } from "react";
import type { ErrorCode } from "@/lib/shared/errors";
import { getImmediately } from "./immediate-get";
import { isAbort, passkeyPromptError } from "./passkey-errors";
import { signalUnknownCredential } from "./signals";

/** The query parameter a page is sent back with after its posted ceremony failed. */
const FAILURE_PARAM = "passkey_error";

type Failure = { ok: false; error: ErrorCode; unknownCredential?: { rpID: string; credentialID: string } };
type Begun<O> = { ok: true; options: O } | Failure;
/** A verify step: the server's answer, whose successful shape the caller gets back. */
type Verify<Res> = (response: Res) => Promise<{ ok: true } | Failure>;
type Success<V extends Verify<never>> = Extract<Awaited<ReturnType<V>>, { ok: true }>;
/**
 * How a ceremony ended: verified (with the server's answer), or not; `aborted` when we cut it
 * short, `superseded` when a request the person asked for took its place, `noPasskeyHere` when an
 * immediate request found no passkey on this device (or the person dismissed its chooser).
 */
export type Outcome<R> = { done: true; result: R } | { done: false; aborted: boolean; superseded?: boolean; noPasskeyHere?: boolean };

/**
 * The client side of every passkey ceremony (sign-in, sign-up, add a passkey, confirm it's you):
 * server action for options, the browser's prompt, server action to verify. One error path: a
 * failed step, a closed prompt or a server that can't be reached all end as an error code; an
 * abort we caused ends silently. While one runs, another start is ignored (double clicks), except
 * that a request the person asked for takes over from a quiet autofill one.
 */
export function usePasskeyCeremony(lastError: ErrorCode | null = null) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ErrorCode | null>(lastError);
  // Back from a failed attempt (see postToAction): the message shows, and leaves the address, so a
  // reload or a shared link doesn't show it again.
  useEffect(() => {
    const url = new URL(window.location.href);
    if (!url.searchParams.has(FAILURE_PARAM)) return;
    url.searchParams.delete(FAILURE_PARAM);
    url.searchParams.delete("credential");
    window.history.replaceState(window.history.state, "", url);
  }, []);
  const active = useRef<{ id: number; quiet: boolean } | null>(null);
  const started = useRef(0);

  const run = useCallback(
    async <O, R extends { ok: true }, Res>(
      begin: () => Promise<Begun<O>>,
      prompt: (options: O) => Promise<Res>,
      finish: (response: Res) => Promise<R | Failure>,
      ceremony: "create" | "get",
      quiet: boolean,
      immediate = false,
    ): Promise<Outcome<R>> => {
      if (active.current && (quiet || !active.current.quiet)) return { done: false, aborted: true, superseded: quiet && !active.current.quiet };
      const id = ++started.current;
      active.current = { id, quiet };
      // A quiet (autofill) request starting again must not wipe the error the person is reading.
      if (!quiet) {
        setError(null);
        setPending(true);
      }
      let succeeded = false;
      try {
        const begun = await reach(begin);
        if (!begun.ok) {
          if (!quiet) setError(begun.error);
          return { done: false, aborted: false };
        }
        // A request the person asked for may have started while these options were on their way:
        // a quiet one then gives way instead of cancelling it (the browser runs one at a time).
        if (active.current?.id !== id) return { done: false, aborted: true, superseded: true };
        let response: Res;
        try {
          response = await prompt(begun.options);
        } catch (e) {
          if (isAbort(e)) return { done: false, aborted: true };
          // Immediate mode's "nothing here": the caller takes another way in, with no error shown.
          if (immediate && e instanceof Error && e.name === "NotAllowedError") return { done: false, aborted: false, noPasskeyHere: true };
          if (!quiet) setError(passkeyPromptError(e, ceremony));
          return { done: false, aborted: false };
        }
        // The person picked a passkey: from here on it is their attempt, quiet or not.
        setError(null);
        setPending(true);
        const result = await reach(() => finish(response));
        if (!result.ok) {
          // An autofill request that outlived its challenge just starts over, unseen.
          if (quiet && result.error === "challenge_expired") return { done: false, aborted: true };
          setError(result.error);
          // Ask the passkey manager to drop a passkey the server no longer knows (where supported).
          if (result.unknownCredential) void signalUnknownCredential(result.unknownCredential);
          return { done: false, aborted: false };
        }
        succeeded = true;
        return { done: true, result };
      } finally {
        if (active.current?.id === id) {
          active.current = null;
          // On success the caller navigates away; the button stays busy until it does.
          if (!succeeded) setPending(false);
        }
      }
    },
    [],
  );

  /** Creates a passkey; resolves with verify's result, or how it ended after showing why not. */
  const create = useCallback(
    <V extends Verify<RegistrationResponseJSON>>(begin: () => Promise<Begun<PublicKeyCredentialCreationOptionsJSON>>, verify: V) =>
      run(begin, (optionsJSON) => startRegistration({ optionsJSON }), verify as (r: RegistrationResponseJSON) => Promise<Success<V> | Failure>, "create", false),
    [run],
  );

  /**
   * Uses a passkey. `autofill`: a conditional request in the username field, which shows nothing
   * until the person picks a passkey from the field's suggestions.
   */
  const get = useCallback(
    <V extends Verify<AuthenticationResponseJSON>>(begin: () => Promise<Begun<PublicKeyCredentialRequestOptionsJSON>>, verify: V, autofill = false) =>
      run(begin, (optionsJSON) => startAuthentication({ optionsJSON, useBrowserAutofill: autofill }), verify as (r: AuthenticationResponseJSON) => Promise<Success<V> | Failure>, "get", autofill),
    [run],
  );

  /**
   * Uses a passkey on this device, if it has one, through the browser's immediate account chooser
   * (only where the browser reports `immediateGet`); ends with `noPasskeyHere` if it has none.
   */
  const getNow = useCallback(
    <V extends Verify<AuthenticationResponseJSON>>(begin: () => Promise<Begun<PublicKeyCredentialRequestOptionsJSON>>, verify: V) =>
      run(begin, getImmediately, verify as (r: AuthenticationResponseJSON) => Promise<Success<V> | Failure>, "get", false, true),
    [run],
  );

  /** Cancels the browser request in progress (autofill giving way to the button). */
  const cancel = useCallback(() => WebAuthnAbortService.cancelCeremony(), []);

  return { create, get, getNow, cancel, pending, error, setError };
}

/** A server action that throws (a backend is down, the network failed) becomes "unavailable". */
async function reach<T>(action: () => Promise<T>): Promise<T | Failure> {
  try {
    return await action();
  } catch {
    return { ok: false, error: "unavailable" };
  }
}

/**
 * Posts `fields` to a server action as a plain form, as a browser does before the page's
 * JavaScript runs: the answer is a navigation (a redirect Next sends as a bare 303), not a fetch
 * whose redirect Next would answer with the destination rendered in. A failure sends the browser
 * back with ?passkey_error=<code>, which the page hands to usePasskeyCeremony.
 */
export function postToAction(actionId: string, fields: Record<string, string>): void {
  const form = document.createElement("form");
  form.method = "post";
  form.action = window.location.pathname;
  form.enctype = "multipart/form-data";
  form.hidden = true;
  for (const [name, value] of Object.entries({ [`$ACTION_ID_${actionId}`]: "", ...fields })) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}
