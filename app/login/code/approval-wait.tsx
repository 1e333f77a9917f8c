"use client";

import { useCallback } from "react";
import { LiveMessage } from "@/components/alert";
import { useApprovalWait } from "@/components/use-approval-wait";
import { messageFor } from "@/lib/shared/errors";
import { claimApprovalAction, approvalStatusAction } from "./actions";

/**
 * The asking tab's side of an approval from another device: shows the number to choose there and
 * waits; once approved, collects the sign-in here and follows its redirect.
 */
export function ApprovalWait({ number, next }: { number: number; next: string }) {
  const claim = useCallback(() => claimApprovalAction(next), [next]);
  const state = useApprovalWait(approvalStatusAction, claim);
  const stopped =
    state.status === "refused"
      ? "The sign-in was stopped on the other device: a different number was chosen there. Ask for a new link to try again."
      : state.status === "expired"
        ? "This request has expired. Ask for a new link to try again."
        : state.status === "failed"
          ? messageFor(state.error)
          : null;
  return (
    <div className="rounded-lg border border-zinc-200 p-4 text-center dark:border-zinc-700">
      <p>Reading the email on another device? Open the link there and choose</p>
      <p className="my-2 text-4xl font-semibold tabular-nums" data-testid="approval-number">
        {number}
      </p>
      {stopped ? <LiveMessage message={stopped} /> : <p className="text-sm text-zinc-600 dark:text-zinc-400">{state.status === "claiming" || state.status === "approved" ? "Approved: signing in…" : "This page moves on by itself once you do."}</p>}
    </div>
  );
}
