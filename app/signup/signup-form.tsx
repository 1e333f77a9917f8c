"use client";

import Link from "next/link";
import { useActionState } from "react";
import { LiveMessage } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { EmailSuggestion, useEmailSuggestion } from "@/components/email-suggestion";
import { Field } from "@/components/field";
import { NoPasskeysHere } from "@/components/no-passkeys-here";
import { submitSignup, type SignupFormState } from "./actions";

/** `initial`: what was typed before "Use a different email", kept. */
export function SignupForm({ initial }: { initial: { name: string; username: string } }) {
  const [state, action] = useActionState<SignupFormState, FormData>(submitSignup, {});
  const email = useEmailSuggestion(state.values?.email ?? "");
  return (
    <form action={action} onSubmit={email.onSubmit} className="flex flex-col gap-4" noValidate>
      <NoPasskeysHere />
      <LiveMessage message={state.error ?? null} />
      <Field label="Name (optional)" name="name" autoComplete="name" maxLength={64} defaultValue={state.values?.name ?? initial.name} error={state.fieldErrors?.name} />
      <Field
        label="Username"
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        minLength={3}
        maxLength={32}
        hint="3–32 characters: letters, digits, . _ -"
        defaultValue={state.values?.username ?? initial.username}
        error={state.fieldErrors?.username}
      />
      <Field label="Email" name="email" type="email" autoComplete="email" required {...email.inputProps} error={state.fieldErrors?.email} />
      <EmailSuggestion suggestion={email.suggestion} onAccept={email.accept} />
      <SubmitButton pendingLabel="Sending code…">Create account</SubmitButton>
      <p className="text-center text-sm text-zinc-600 dark:text-zinc-400">
        Already have an account?{" "}
        <Link href="/login" className="font-medium text-indigo-700 underline dark:text-indigo-300">
          Sign in
        </Link>
      </p>
    </form>
  );
}
