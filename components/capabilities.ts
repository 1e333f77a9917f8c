"use client";

import { browserSupportsWebAuthn } from "@simplewebauthn/browser";
import { useEffect, useState } from "react";

/**
 * What this browser says it can do (WebAuthn `PublicKeyCredential.getClientCapabilities()`), for
 * the few capabilities the app acts on. A missing key means "not reported": a browser without the
 * method (older Firefox and Safari, Chrome before 133) reports nothing, and then the app behaves as
 * it did before it asked; only an explicit `false` turns something off.
 */
export type ClientCapabilities = Partial<Record<Capability, boolean>>;

const CAPABILITIES = [
  "conditionalGet",
  "hybridTransport",
  "immediateGet",
  "passkeyPlatformAuthenticator",
  "signalAllAcceptedCredentials",
  "signalCurrentUserDetails",
  "signalUnknownCredential",
  "userVerifyingPlatformAuthenticator",
] as const;
type Capability = (typeof CAPABILITIES)[number];

let cached: Promise<ClientCapabilities> | null = null;

/** Asked once per page load; the answer doesn't change while the page is open. */
export function clientCapabilities(): Promise<ClientCapabilities> {
  cached ??= read();
  return cached;
}

async function read(): Promise<ClientCapabilities> {
  if (!browserSupportsWebAuthn()) return {};
  const api = PublicKeyCredential as unknown as { getClientCapabilities?: () => Promise<Record<string, unknown>> };
  if (typeof api.getClientCapabilities !== "function") return {};
  try {
    const reported = await api.getClientCapabilities();
    return Object.fromEntries(CAPABILITIES.flatMap((name) => (typeof reported[name] === "boolean" ? [[name, reported[name]]] : [])));
  } catch {
    return {};
  }
}

/**
 * The browser says this device can't make a passkey of its own: no user-verifying platform
 * authenticator, or no passkeys at all (passkeyPlatformAuthenticator is "here, or a phone over
 * hybrid"). A phone (hybridTransport) or a security key may still make one.
 */
export function cannotMakePasskeyHere(capabilities: ClientCapabilities | null): boolean {
  return capabilities?.userVerifyingPlatformAuthenticator === false || capabilities?.passkeyPlatformAuthenticator === false;
}

/** The capabilities, or null until the browser has answered (and while rendering on the server). */
export function useClientCapabilities(): ClientCapabilities | null {
  const [capabilities, setCapabilities] = useState<ClientCapabilities | null>(null);
  useEffect(() => {
    let live = true;
    void clientCapabilities().then((c) => live && setCapabilities(c));
    return () => {
      live = false;
    };
  }, []);
  return capabilities;
}
