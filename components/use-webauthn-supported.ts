"use client";

import { browserSupportsWebAuthn } from "@simplewebauthn/browser";
import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/** Whether this browser can do WebAuthn at all; assumed yes while rendering on the server. */
export function useWebAuthnSupported(): boolean {
  return useSyncExternalStore(subscribe, browserSupportsWebAuthn, () => true);
}
