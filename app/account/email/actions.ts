"use server";

import { redirect } from "next/navigation";
import type { TokenState } from "@/components/confirm-token-form";
import { emailChangeFlow, finishEmailChange } from "@/lib/email-change";
import { formText } from "@/lib/form-data";

/** The button on the email-change link's page: only pressing it spends the link. */
export async function confirmEmailChangeLink(_prev: TokenState, formData: FormData): Promise<TokenState> {
  const result = await finishEmailChange("link", formText(formData, "token"));
  if (!result.ok) return emailChangeFlow.failureState(result, "link");
  redirect("/account?notice=email-changed#email");
}
