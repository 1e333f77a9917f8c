"use server";

import { redirect } from "next/navigation";
import type { ResendState } from "@/components/resend-code";
import { describeFailure, type ErrorCode } from "@/lib/shared/errors";
import { formText } from "@/lib/form-data";
import { confirmOptions, confirmWithEmail, confirmWithPasskey, requestConfirmEmail, resendConfirmEmail as resendConfirm } from "@/lib/reauth";
import { safeNextPath } from "@/lib/safe-next";

export async function confirmOptionsAction() {
  return confirmOptions();
}

export async function confirmWithPasskeyAction(response: unknown) {
  return confirmWithPasskey(response);
}

export type ConfirmState = { error?: string; failure?: ErrorCode };

export async function requestConfirmEmailAction(_prev: ConfirmState, formData: FormData): Promise<ConfirmState> {
  const result = await requestConfirmEmail();
  if (!result.ok) return { failure: result.error };
  const next = safeNextPath(formText(formData, "next"), "");
  redirect(next ? `/account/confirm?next=${encodeURIComponent(next)}` : "/account/confirm");
}

export async function resendConfirmEmail(): Promise<ResendState> {
  const result = await resendConfirm();
  return result.ok ? { sent: true } : { error: result.error };
}

export async function confirmCodeAction(_prev: ConfirmState, formData: FormData): Promise<ConfirmState> {
  const result = await confirmWithEmail("code", formText(formData, "code"));
  if (!result.ok) return { error: describeFailure(result), failure: result.error };
  redirect(safeNextPath(formText(formData, "next")));
}
