"use client";

import { sendSignal } from "@simplewebauthn/browser";
import type { Signals } from "@/lib/passkeys";
import { clientCapabilities } from "./capabilities";

type SignalName = "signalAllAcceptedCredentials" | "signalCurrentUserDetails" | "signalUnknownCredential";

/**
 * Whether to send a signal: where the browser reports the capability; where it reports nothing
 * (no getClientCapabilities), where the method exists. A reported `false` is never overruled.
 */
async function reported(name: SignalName): Promise<boolean> {
  const said = (await clientCapabilities())[name];
  return said ?? typeof (globalThis.PublicKeyCredential as unknown as Record<string, unknown> | undefined)?.[name] === "function";
}

/**
 * Tells the browser's passkey manager what the server now accepts (WebAuthn Signal API), where
 * the browser supports it. Best effort: a signal that fails changes nothing here.
 */
export async function applySignals(signals: Signals | null | undefined): Promise<void> {
  if (!signals) return;
  const { rpID, userID } = signals;
  const tasks: Promise<unknown>[] = [];
  const { allAcceptedCredentialIDs, userDetails } = signals;
  if (allAcceptedCredentialIDs && (await reported("signalAllAcceptedCredentials"))) {
    tasks.push(sendSignal({ signalName: "allAcceptedCredentials", rpID, userID, allAcceptedCredentialIDs }));
  }
  if (userDetails && (await reported("signalCurrentUserDetails"))) tasks.push(sendSignal({ signalName: "currentUserDetails", rpID, userID, ...userDetails }));
  await Promise.allSettled(tasks);
}

/** Asks the passkey manager to drop a passkey the server doesn't know (where supported). */
export async function signalUnknownCredential(credential: { rpID: string; credentialID: string }): Promise<void> {
  if (!(await reported("signalUnknownCredential"))) return;
  await sendSignal({ signalName: "unknownCredential", ...credential }).catch(() => {});
}
