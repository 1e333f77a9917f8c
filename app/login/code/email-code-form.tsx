"use client";

import Link from "next/link";
import { useActionState } from "react";
import { LiveMessage } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { CodeField } from "@/components/code-field";
import type { FormState } from "@/lib/shared/form-state";
import { submitEmailCode } from "./actions";

export function EmailCodeForm({ next }: { next: string }) {
  const [state, action] = useActionState<FormState, FormData>(submitEmailCode, {});
  if (state.restart) {
    return (
      <>
        <LiveMessage message={state.error} />
        <Link href={`/login?next=${encodeURIComponent(next)}`} className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
          Ask for a new link and code
        </Link>
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
