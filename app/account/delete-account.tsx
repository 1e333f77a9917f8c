"use client";

import { useActionState } from "react";
import { LiveMessage } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { Field } from "@/components/field";
import { deleteAccountAction } from "./actions";
import type { FormState } from "@/lib/shared/form-state";
import { needsReauth, ReauthLink } from "./reauth-link";

export function DeleteAccount({ username, fresh }: { username: string; fresh: boolean }) {
  const [state, action] = useActionState<FormState, FormData>(deleteAccountAction, {});
  if (!fresh || needsReauth(state.failure)) {
    return (
      <p className="text-sm">
        <ReauthLink section="delete" /> to delete your account.
      </p>
    );
  }
  return (
    <form action={action} className="flex flex-col gap-3">
      <LiveMessage message={state.error} />
      <Field label={`Type "delete ${username}" to confirm`} id="delete-confirm" name="confirm" autoComplete="off" autoCapitalize="none" spellCheck={false} required />
      <SubmitButton variant="danger" className="sm:!w-auto sm:self-start" pendingLabel="Deleting…">
        Delete my account
      </SubmitButton>
    </form>
  );
}
