"use client";

import { useActionState, useEffect } from "react";
import { Alert, LiveMessage } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { CodeField } from "@/components/code-field";
import { EmailAddress } from "@/components/email-address";
import { Field } from "@/components/field";
import { ResendCode } from "@/components/resend-code";
import { applySignals } from "@/components/signals";
import { useToast } from "@/components/toast";
import { messageFor } from "@/lib/shared/errors";
import type { Signals } from "@/lib/passkeys";
import { RelativeTime } from "@/components/relative-time";
import { cancelEmailChangeAction, cancelEmailRevertAction, resendEmailChangeCode, startEmailChangeAction, submitEmailChangeCode, updateNameAction } from "./actions";
import { fieldError, type FormState } from "@/lib/shared/form-state";
import { needsReauth, ReauthLink } from "./reauth-link";

function Failure({ state, section }: { state: FormState; section: string }) {
  return (
    <div aria-live="assertive" className="empty:hidden">
      {(state.error || state.failure) && (
        <Alert tone="error">
          {state.error ?? messageFor(state.failure!)} {needsReauth(state.failure) && <ReauthLink section={section} />}
        </Alert>
      )}
    </div>
  );
}

export function NameForm({ name }: { name: string }) {
  const [state, action] = useActionState<FormState & { signals?: Signals }, FormData>(updateNameAction, {});
  const toast = useToast();
  useEffect(() => {
    if (!state.done) return;
    toast(state.done);
    // The passkey manager shows the new display name from now on.
    void applySignals(state.signals);
  }, [state, toast]);
  return (
    <form action={action} className="flex flex-col gap-3 sm:flex-row sm:items-end">
      <div className="flex-1">
        <Field label="Name" id="profile-name" name="name" autoComplete="name" maxLength={64} defaultValue={name} hint="Optional. Shown in your passkey manager." error={fieldError(state)} />
      </div>
      <SubmitButton variant="secondary" className="sm:mb-7 sm:!w-auto" pendingLabel="Saving…">
        Save name
      </SubmitButton>
      <Failure state={{ failure: state.failure }} section="profile" />
    </form>
  );
}

export function EmailChange({ pending, fresh }: { pending: { email: string; sentAt: number } | null; fresh: boolean }) {
  const [startState, start] = useActionState<FormState, FormData>(startEmailChangeAction, {});
  const [codeState, submitCode] = useActionState<FormState, FormData>(submitEmailChangeCode, {});

  if (!fresh || needsReauth(startState.failure) || needsReauth(codeState.failure)) {
    return (
      <p className="text-sm">
        <ReauthLink section="email" /> to change your email address.
      </p>
    );
  }
  if (pending) {
    return (
      <div className="flex flex-col gap-3">
        <p className="text-sm">
          We sent a code and a link to <EmailAddress value={pending.email} />. Your address changes once you confirm it.
        </p>
        <form action={submitCode} className="flex flex-col gap-3">
          <LiveMessage message={codeState.error} />
          <CodeField label="Code sent to the new address" id="email-change-code" />
          <SubmitButton className="sm:!w-auto sm:self-start" pendingLabel="Confirming…">
            Confirm new email
          </SubmitButton>
        </form>
        <ResendCode action={resendEmailChangeCode} sentAt={pending.sentAt} />
        <form action={cancelEmailChangeAction}>
          <SubmitButton variant="ghost" size="small" pendingLabel="Cancelling…">
            Cancel the change
          </SubmitButton>
        </form>
      </div>
    );
  }
  return (
    <form action={start} className="flex flex-col gap-3 sm:flex-row sm:items-end">
      <div className="flex-1">
        <Field label="New email address" id="new-email" name="email" type="email" autoComplete="email" required error={fieldError(startState)} />
      </div>
      <SubmitButton variant="secondary" className="sm:!w-auto" pendingLabel="Sending code…">
        Change email
      </SubmitButton>
      <Failure state={{ failure: startState.failure }} section="email" />
    </form>
  );
}

/**
 * The old address can still undo the last change. If a passkey vouched for the change, "I made
 * this change" ends that (someone who moved off a lost address shouldn't leave its holder a lever).
 */
export function PendingRevert({ revert }: { revert: { from: string; until: string; cancellable: boolean } }) {
  const [state, action] = useActionState<FormState, FormData>(cancelEmailRevertAction, {});
  const toast = useToast();
  useEffect(() => {
    if (state.done) toast(state.done);
  }, [state, toast]);
  if (state.done) return null;
  return (
    <div className="flex flex-col gap-3 rounded-lg border border-zinc-200 p-3 text-sm dark:border-zinc-800" data-testid="pending-revert">
      <p>
        Your old address <EmailAddress value={revert.from} /> can undo this change until <RelativeTime iso={revert.until} />.
        {!revert.cancellable && " The change was confirmed by email only, so it can't be kept early."}
      </p>
      {revert.cancellable && (
        <form action={action} className="flex flex-col gap-2">
          <SubmitButton variant="secondary" size="small" className="sm:!w-auto sm:self-start" pendingLabel="Keeping it…">
            I made this change
          </SubmitButton>
          <Failure state={{ failure: state.failure }} section="email" />
        </form>
      )}
    </div>
  );
}
