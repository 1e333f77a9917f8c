"use client";

import { useActionState, useCallback } from "react";
import { Alert } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { useApprovalWait } from "@/components/use-approval-wait";
import { messageFor } from "@/lib/shared/errors";
import { qrClaim, qrStatus, showQrCode, type QrState } from "./qr-actions";

/**
 * "Sign in with your phone (already signed in there)": a QR code and its short URL for a device
 * signed in to the account, which approves with its passkey; this tab then signs in by itself.
 * `inForm`: the button sits in step 1's form, so a name typed there goes with it.
 */
export function QrSignIn({ next, inForm = false }: { next: string; inForm?: boolean }) {
  const [state, action] = useActionState<QrState, FormData>(showQrCode, {});
  const button = (
    <SubmitButton formAction={inForm ? action : undefined} variant="secondary" pendingLabel="Making a code…">
      {state.shown ? "Show a new code" : "Sign in with your phone (already signed in there)"}
    </SubmitButton>
  );
  return (
    <div className="flex flex-col gap-2">
      {inForm ? button : <form action={action}>{button}</form>}
      {state.failure && <Alert tone="error">{messageFor(state.failure)}</Alert>}
      {state.shown && <QrPanel key={state.shown.url} shown={state.shown} next={next} />}
    </div>
  );
}

function QrPanel({ shown, next }: { shown: NonNullable<QrState["shown"]>; next: string }) {
  const claim = useCallback(async () => {
    const claimed = await qrClaim(next);
    if (!claimed.ok) return claimed;
  }, [next]);
  const wait = useApprovalWait(qrStatus, claim);
  const live = wait.status === "waiting" || wait.status === "claiming";
  return (
    <div className="flex flex-col items-center gap-3 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800" data-testid="qr-panel">
      {live && (
        <>
          {/* Dark on light whatever the theme: scanners need it. The SVG is our own, made by the qrcode package. */}
          <div role="img" aria-label={`QR code for ${shown.url}`} className="size-48 rounded bg-white p-1" dangerouslySetInnerHTML={{ __html: shown.svg }} />
          <p className="text-center text-sm text-zinc-600 dark:text-zinc-400">
            Scan it with a phone or tablet that&apos;s signed in, or open this address there:
          </p>
          <p className="font-mono text-sm break-all select-all" data-testid="qr-url">
            {shown.url}
          </p>
        </>
      )}
      <div role="status" className="text-center text-sm">
        {wait.status === "waiting" && "Waiting for your approval there. The code works for 2 minutes."}
        {wait.status === "claiming" && "Approved. Signing you in…"}
        {wait.status === "expired" && "That code expired before it was approved. Show a new code to try again."}
        {wait.status === "refused" && "That sign-in was turned down on the other device. Show a new code to try again."}
        {wait.status === "used" && "That code was already used. Show a new code to try again."}
        {wait.status === "failed" && messageFor(wait.error)}
      </div>
    </div>
  );
}
