"use client";

import { useEffect } from "react";
import { applySignals } from "@/components/signals";
import type { Signals } from "@/lib/passkeys";

/** After an account is deleted: no passkey of it is accepted any more, so managers may hide them. */
export function AccountDeletedSignal({ signals }: { signals: Signals }) {
  useEffect(() => void applySignals(signals), [signals]);
  return null;
}
