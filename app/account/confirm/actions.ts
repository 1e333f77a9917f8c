"use server";

import { redirect } from "next/navigation";
import type { FormState } from "@/lib/shared/form-state";
import { formText } from "@/lib/form-data";
import { confirmOptions, confirmWithEmail, confirmWithPasskey, requestConfirmEmail, resendConfirmEmail as resendConfirm } from "@/lib/reauth";
import { safeNextPath } from "@/lib/safe-next";
import { failed, formAction, resent, resultAction } from "@/app/action-adapter";

export const confirmOptionsAction = resultAction(async () => {
  return confirmOptions();
});

export const confirmWithPasskeyAction = resultAction(async (response: unknown) => {
  return confirmWithPasskey(response);
});

export const requestConfirmEmailAction = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const result = await requestConfirmEmail();
  if (!result.ok) return { failure: result.error };
  const next = safeNextPath(formText(formData, "next"), "");
  redirect(next ? `/account/confirm?next=${encodeURIComponent(next)}` : "/account/confirm");
});

export const resendConfirmEmail = formAction(async (): Promise<FormState> => resent(await resendConfirm()));

export const confirmCodeAction = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const result = await confirmWithEmail("code", formText(formData, "code"));
  if (!result.ok) return failed(result);
  redirect(safeNextPath(formText(formData, "next")));
});
