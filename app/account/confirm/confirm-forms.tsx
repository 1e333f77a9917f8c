"use client";

import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { useActionState } from "react";
import { LiveMessage } from "@/components/alert";
import { usePageOptions } from "@/components/page-options";
import { Button, SubmitButton } from "@/components/button";
import { CodeField } from "@/components/code-field";
import { EmailAddress } from "@/components/email-address";
import { ResendCode } from "@/components/resend-code";
import { usePasskeyCeremony } from "@/components/use-passkey-ceremony";
import { useWebAuthnSupported } from "@/components/use-webauthn-supported";
import { messageFor } from "@/lib/shared/errors";
import { confirmCodeAction, confirmOptionsAction, confirmWithPasskeyAction, requestConfirmEmailAction, resendConfirmEmail } from "./actions";
import type { FormState } from "@/lib/shared/form-state";

/** `secondary` once a code was sent: then the code is the page's main way on. */
export function ConfirmWithPasskey({ next, hasPasskeys, secondary = false, pageOptions }: { next: string; hasPasskeys: boolean; secondary?: boolean; pageOptions: PublicKeyCredentialRequestOptionsJSON | null }) {
  const router = useRouter();
  const supported = useWebAuthnSupported();
  const { get, pending, error } = usePasskeyCeremony();
  // The page's request first; a retry (its challenge spent) asks for a fresh one.
  const fromPage = usePageOptions(pageOptions, confirmOptionsAction);
  if (!supported || !hasPasskeys) return null;

  async function confirm() {
    const outcome = await get(fromPage.begin, (response: unknown) => {
      fromPage.spend();
      return confirmWithPasskeyAction(response);
    });
    if (outcome.done) router.push(next);
  }

  return (
    <>
      <LiveMessage message={error ? messageFor(error) : null} />
      <Button variant={secondary ? "secondary" : "primary"} onClick={confirm} pending={pending} pendingLabel="Waiting for your passkey…">
        Confirm with a passkey
      </Button>
    </>
  );
}

export function ConfirmWithEmail({ next, pending }: { next: string; pending: { email: string; sentAt: number } | null }) {
  const [requestState, request] = useActionState<FormState, FormData>(requestConfirmEmailAction, {});
  const [codeState, submitCode] = useActionState<FormState, FormData>(confirmCodeAction, {});
  if (!pending) {
    return (
      <form action={request} className="flex flex-col gap-2">
        <input type="hidden" name="next" value={next} />
        <LiveMessage message={requestState.failure ? messageFor(requestState.failure) : null} />
        <SubmitButton variant="secondary" pendingLabel="Sending…">
          Email me a code
        </SubmitButton>
      </form>
    );
  }
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        We sent a code and a link to <EmailAddress value={pending.email} />. Use either in this browser.
      </p>
      <form action={submitCode} className="flex flex-col gap-3">
        <input type="hidden" name="next" value={next} />
        <LiveMessage message={codeState.error} />
        <CodeField />
        <SubmitButton pendingLabel="Confirming…">Confirm with the code</SubmitButton>
      </form>
      <ResendCode action={resendConfirmEmail} sentAt={pending.sentAt} />
    </div>
  );
}
