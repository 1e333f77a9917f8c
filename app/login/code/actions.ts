"use server";

import { redirect } from "next/navigation";
import type { ResendState } from "@/components/resend-code";
import { finishSignInEmail, resendSignInEmail, signInFlow } from "@/lib/email-sign-in";
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
