"use client";

import { useEffect, useState } from "react";
import { Alert } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { EmailAddress } from "@/components/email-address";
import { restartSignup, signupDeliveryAction } from "./actions";

/** How often the waiting page asks whether its mail bounced (Resend reports a bounce within seconds). */
const POLL_MS = 3000;

/** Says so, within seconds, when the mail to `email` couldn't be delivered; with the way to fix the address. */
export function DeliveryWatch({ email }: { email: string }) {
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (failed) return;
    let stopped = false;
    const timer = setInterval(async () => {
      if (document.visibilityState !== "visible") return;
      const bounced = await signupDeliveryAction().catch(() => false);
      if (bounced && !stopped) setFailed(true);
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [failed]);
  if (!failed) return null;
  return (
    <div className="flex flex-col gap-3">
      <Alert tone="error">
        We couldn&apos;t deliver to <EmailAddress value={email} /> — check the address.
      </Alert>
      <form action={restartSignup}>
        <SubmitButton pendingLabel="Starting over…">Fix the address</SubmitButton>
      </form>
    </div>
  );
}
