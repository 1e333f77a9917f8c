"use client";

import { useEffect } from "react";
import { applySignals } from "@/components/signals";

/** After an account is deleted: no passkey of it is accepted any more, so managers may hide them. */
export function AccountDeletedSignal({ rpID, userID }: { rpID: string; userID: string }) {
  useEffect(() => void applySignals({ rpID, userID, allAcceptedCredentialIDs: [] }), [rpID, userID]);
  return null;
}
