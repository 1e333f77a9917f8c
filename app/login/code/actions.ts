"use server";

import { redirect } from "next/navigation";
import { claimSignInApproval, finishSignInEmail, resendSignInEmail, signInApprovalStatus, signInFlow } from "@/lib/email-sign-in";
import type { ErrorCode } from "@/lib/shared/errors";
import { formText } from "@/lib/form-data";
import { safeNextPath } from "@/lib/safe-next";
import { getCurrentSession } from "@/lib/session";
import type { FormState } from "@/lib/shared/form-state";
import { formAction, resent } from "@/app/action-adapter";

/** The code from the email, typed in the browser that asked. */
export const submitEmailCode = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const next = safeNextPath(formText(formData, "next"));
  const result = await finishSignInEmail("code", formText(formData, "code").replace(/\s/g, ""));
  // Signed in already: by this code, or by the link in another tab of this browser.
  if (result.ok || (await getCurrentSession())) redirect(next);
  return signInFlow.failureState(result, "code");
});

export const resendCode = formAction(async (): Promise<FormState> => resent(await resendSignInEmail()));

/** Polled by the waiting tab: where its request stands for approval from another device. */
export async function approvalStatusAction() {
  return signInApprovalStatus();
}

/** Collects an approval made on another device: signs this browser in, then goes on. */
export async function claimApprovalAction(nextPath: unknown): Promise<{ ok: false; error: ErrorCode } | void> {
  const result = await claimSignInApproval();
  if (!result.ok) return { ok: false, error: result.error };
  redirect(safeNextPath(nextPath));
}
