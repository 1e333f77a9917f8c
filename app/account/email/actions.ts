"use server";

import { redirect } from "next/navigation";
import type { TokenState } from "@/components/confirm-token-form";
import { finishEmailChange } from "@/lib/email-change";
import { describeFailure } from "@/lib/shared/errors";
import { formText } from "@/lib/form-data";

/** The button on the email-change link's page: only pressing it spends the link. */
export async function confirmEmailChangeLink(_prev: TokenState, formData: FormData): Promise<TokenState> {
  const result = await finishEmailChange("link", formText(formData, "token"));
  if (!result.ok) return { error: describeFailure(result), restart: true };
  redirect("/account?notice=email-changed#email");
}
