"use client";

import { browserSupportsWebAuthn } from "@simplewebauthn/browser";
import { useSyncExternalStore } from "react";
import { detectInAppBrowser } from "@/lib/shared/in-app-browser";

const subscribe = () => () => {};

/**
 * Whether a passkey ceremony can run here: WebAuthn with both calls a ceremony needs, outside an
 * app's built-in browser (which has the API but can't use it). Assumed yes while rendering on the
 * server, so normal browsers render as before.
 */
export function useWebAuthnSupported(): boolean {
  return useSyncExternalStore(subscribe, passkeysUsable, () => true);
}

function passkeysUsable(): boolean {
  return browserSupportsWebAuthn() && typeof navigator.credentials?.create === "function" && typeof navigator.credentials?.get === "function" && !detectInAppBrowser(navigator.userAgent);
}

/** The app's built-in browser this page is open in, if any (null on the server). */
export function useInAppBrowser() {
  return useSyncExternalStore(subscribe, inAppSystem, () => null);
}

// A string, so the snapshot compares equal between reads.
const inAppSystem = () => detectInAppBrowser(navigator.userAgent)?.system ?? null;
