"use client";

import { useActionState } from "react";
import { LiveMessage } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { CodeField } from "@/components/code-field";
import { requestEmailLink, submitEmailCode, type EmailCodeState } from "../actions";

export function EmailCodeForm({ next }: { next: string }) {
  const [state, action] = useActionState<EmailCodeState, FormData>(submitEmailCode, {});
  if (state.restart) {
    return (
      <>
        <LiveMessage message={state.error} />
        <form action={requestEmailLink}>
          <input type="hidden" name="next" value={next} />
          <SubmitButton pendingLabel="Sending…">Send a new link and code</SubmitButton>
        </form>
      </>
    );
  }
  return (
    <form action={action} className="flex flex-col gap-4">
      <input type="hidden" name="next" value={next} />
      <LiveMessage message={state.error} />
      <CodeField />
      <SubmitButton pendingLabel="Signing in…">Sign in</SubmitButton>
    </form>
  );
}
