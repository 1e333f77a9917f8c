"use client";

import { useActionState, useEffect, useState } from "react";
import type { FormState } from "@/lib/shared/form-state";
import { LiveMessage } from "./alert";
import { SubmitButton } from "./button";

/** How long after a message was sent before another may be asked for. */
const RESEND_COOLDOWN_SECONDS = 60;

/** "Send a new code", with the wait until it may be pressed shown, counting down. */
export function ResendCode({ action, sentAt, hidden = {} }: { action: (state: FormState, formData: FormData) => Promise<FormState>; sentAt: number; hidden?: Record<string, string> }) {
  const [state, formAction] = useActionState(action, {});
  const left = useSecondsLeft(sentAt + RESEND_COOLDOWN_SECONDS * 1000, RESEND_COOLDOWN_SECONDS);
  return (
    <form action={formAction} className="flex flex-col gap-2">
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <LiveMessage tone={state.failure ? "error" : "success"} message={state.error ?? state.done ?? null} />
      <SubmitButton variant="ghost" disabled={left > 0} pendingLabel="Sending…">
        {left > 0 ? `Send a new code (in ${left} s)` : "Send a new code"}
      </SubmitButton>
    </form>
  );
}

/** Seconds until `until`, ticking; `initial` until the clock is read (the server can't know the browser's). */
function useSecondsLeft(until: number, initial: number): number {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    if (now !== null && now >= until) return;
    const timer = setTimeout(() => setNow(Date.now()), now === null ? 0 : 1000);
    return () => clearTimeout(timer);
  }, [now, until]);
  return now === null ? initial : Math.max(0, Math.ceil((until - now) / 1000));
}
