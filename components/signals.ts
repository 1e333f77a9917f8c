"use client";

import { sendSignal } from "@simplewebauthn/browser";
import type { Signals } from "@/lib/passkeys";

/**
 * Tells the browser's passkey manager what the server now accepts (WebAuthn Signal API), where
 * the browser supports it. Best effort: a browser without the API just ignores it.
 */
export async function applySignals(signals: Signals | null | undefined): Promise<void> {
  if (!signals) return;
  const { rpID, userID } = signals;
  const tasks: Promise<unknown>[] = [];
  if (signals.allAcceptedCredentialIDs) tasks.push(sendSignal({ signalName: "allAcceptedCredentials", rpID, userID, allAcceptedCredentialIDs: signals.allAcceptedCredentialIDs }));
  if (signals.userDetails) tasks.push(sendSignal({ signalName: "currentUserDetails", rpID, userID, ...signals.userDetails }));
  await Promise.allSettled(tasks);
}
