"use server";

import { redirect } from "next/navigation";
import type { TokenState } from "@/components/confirm-token-form";
import { messageFor } from "@/lib/shared/errors";
import { formText } from "@/lib/form-data";
import { reportSignIn } from "@/lib/sign-in-alerts";

/** "Sign that device out": only this press spends the link. */
export async function reportAction(_prev: TokenState, formData: FormData): Promise<TokenState> {
  const result = await reportSignIn(formText(formData, "token"));
  if (!result.ok) return { error: messageFor(result.error), restart: true };
  redirect(result.keptPasskeys ? `/not-me/done?kept=${result.keptPasskeys}` : "/not-me/done");
}
