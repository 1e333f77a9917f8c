"use client";

import Link from "next/link";
import { useActionState } from "react";
import { LiveMessage } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { confirmEmailLink, type EmailCodeState } from "../actions";

export function ConfirmEmailLink({ token }: { token: string }) {
  const [state, action] = useActionState<EmailCodeState, FormData>(confirmEmailLink, {});
  return (
    <form action={action} className="flex flex-col gap-4">
      <input type="hidden" name="token" value={token} />
      <LiveMessage message={state.error} />
      {!state.restart && <SubmitButton pendingLabel="Signing in…">Sign in</SubmitButton>}
      {state.error && (
        <Link href="/login/code" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
          Type the code instead
        </Link>
      )}
    </form>
  );
}
