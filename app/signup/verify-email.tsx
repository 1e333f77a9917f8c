"use client";

import { useActionState } from "react";
import { LiveMessage } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { CodeField } from "@/components/code-field";
import type { FormState } from "@/lib/shared/form-state";
import { restartSignup, submitSignupCode } from "./actions";

export function VerifyEmail() {
  const [state, action] = useActionState<FormState, FormData>(submitSignupCode, {});
  return (
    <>
      {!state.restart && (
        <form action={action} className="flex flex-col gap-4">
          <LiveMessage message={state.error} />
          <CodeField />
          <SubmitButton pendingLabel="Checking…">Verify</SubmitButton>
        </form>
      )}
      {state.restart && <LiveMessage message={state.error} />}
      <form action={restartSignup}>
        <SubmitButton variant={state.restart ? "primary" : "ghost"} pendingLabel="Starting over…">
          {state.restart ? "Start again" : "Use a different email"}
        </SubmitButton>
      </form>
    </>
  );
}
