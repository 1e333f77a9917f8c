"use client";

import { useActionState } from "react";
import { LiveMessage } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { Field } from "@/components/field";
import { restartSignup, submitSignupCode, type CodeState } from "./actions";

export function VerifyEmail() {
  const [state, action] = useActionState<CodeState, FormData>(submitSignupCode, {});
  return (
    <>
      {!state.restart && (
        <form action={action} className="flex flex-col gap-4">
          <LiveMessage message={state.error} />
          <Field
            label="Code from the email"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]*"
            maxLength={7}
            required
            className="font-mono text-lg tracking-[0.3em]"
          />
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
