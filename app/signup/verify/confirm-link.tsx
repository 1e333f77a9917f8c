"use client";

import Link from "next/link";
import { useActionState } from "react";
import { LiveMessage } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { confirmSignupLink, type CodeState } from "../actions";

export function ConfirmLink({ token }: { token: string }) {
  const [state, action] = useActionState<CodeState, FormData>(confirmSignupLink, {});
  if (state.restart) {
    return (
      <>
        <LiveMessage message={state.error} />
        <Link href="/signup" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
          Back to sign-up
        </Link>
      </>
    );
  }
  return (
    <form action={action} className="flex flex-col gap-4">
      <input type="hidden" name="token" value={token} />
      <SubmitButton pendingLabel="Confirming…">Confirm email</SubmitButton>
    </form>
  );
}
