"use server";

import { redirect } from "next/navigation";
import type { ResendState } from "@/components/resend-code";
import { claimSignInApproval, finishSignInEmail, resendSignInEmail, signInApprovalStatus, signInFlow } from "@/lib/email-sign-in";
import type { ErrorCode } from "@/lib/shared/errors";
import { formText } from "@/lib/form-data";
import { safeNextPath } from "@/lib/safe-next";
import { getCurrentSession } from "@/lib/session";

export type EmailCodeState = { error?: string; restart?: boolean };

/** The code from the email, typed in the browser that asked. */
export async function submitEmailCode(_prev: EmailCodeState, formData: FormData): Promise<EmailCodeState> {
  const next = safeNextPath(formText(formData, "next"));
  const result = await finishSignInEmail("code", formText(formData, "code").replace(/\s/g, ""));
  // Signed in already: by this code, or by the link in another tab of this browser.
  if (result.ok || (await getCurrentSession())) redirect(next);
  return signInFlow.failureState(result, "code");
}

export async function resendCode(): Promise<ResendState> {
  const result = await resendSignInEmail();
  return result.ok ? { sent: true } : { error: result.error };
}

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
