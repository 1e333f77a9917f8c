"use client";

import { useActionState } from "react";
import { LiveMessage } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { confirmEmailChangeLink, type FormState } from "../actions";

export function ConfirmEmailChange({ token }: { token: string }) {
  const [state, action] = useActionState<FormState, FormData>(confirmEmailChangeLink, {});
  return (
    <form action={action} className="flex flex-col gap-4">
      <input type="hidden" name="token" value={token} />
      <LiveMessage message={state.error} />
      <SubmitButton pendingLabel="Confirming…">Confirm new email</SubmitButton>
    </form>
  );
}
