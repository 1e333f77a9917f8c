"use server";

import { redirect } from "next/navigation";
import type { ResendState } from "@/components/resend-code";
import { finishSignInEmail, resendSignInEmail } from "@/lib/email-sign-in";
import { describeFailure } from "@/lib/shared/errors";
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
  return { error: describeFailure(result), restart: result.error === "too_many_attempts" || result.error === "email_signin_expired" };
}

export async function resendCode(): Promise<ResendState> {
  const result = await resendSignInEmail();
  return result.ok ? { sent: true } : { error: result.error };
}
