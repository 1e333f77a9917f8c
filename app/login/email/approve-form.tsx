"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Alert, LiveMessage } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { approveSignInAction, type ApprovalState } from "./actions";

/**
 * The three numbers on the approving device: choosing one is the POST that approves (the right
 * number) or ends (a wrong one) the sign-in the other device asked for. This browser is never
 * signed in by it.
 */
export function ApproveForm({ token, request, choices }: { token: string; request: string; choices: number[] }) {
  const [state, action] = useActionState<ApprovalState, FormData>(approveSignInAction, {});
  if (state.outcome === "approved") {
    return (
      <Alert tone="success">
        <h2 className="font-semibold">Sign-in approved</h2>
        <p>Go back to the device that asked: it signs in by itself in a moment. Nothing changed in this browser.</p>
      </Alert>
    );
  }
  if (state.outcome === "refused") {
    return (
      <Alert tone="error">
        <h2 className="font-semibold">Sign-in stopped</h2>
        <p>That wasn&apos;t the number on the device that asked, so its sign-in was ended and nobody was signed in. To sign in there, ask for a new link.</p>
      </Alert>
    );
  }
  return (
    <form action={action} className="flex flex-col gap-4">
      <input type="hidden" name="token" value={token} />
      <input type="hidden" name="r" value={request} />
      <LiveMessage message={state.error} />
      {!state.restart && (
        <div className="grid grid-cols-3 gap-3" role="group" aria-label="The number on the other device">
          {choices.map((n) => (
            <SubmitButton key={n} name="number" value={String(n)} pendingLabel={String(n)} className="text-2xl tabular-nums">
              {String(n)}
            </SubmitButton>
          ))}
        </div>
      )}
      {state.restart && (
        <Link href="/login" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
          Sign in here instead
        </Link>
      )}
    </form>
  );
}
