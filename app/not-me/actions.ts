"use server";

import { redirect } from "next/navigation";
import type { FormState } from "@/lib/shared/form-state";
import { formText } from "@/lib/form-data";
import { reportSignIn } from "@/lib/sign-in-alerts";
import { failed, formAction } from "@/app/action-adapter";

/** "Sign that device out": only this press spends the link. */
export const reportAction = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const result = await reportSignIn(formText(formData, "token"));
  if (!result.ok) return failed(result, { restart: true });
  redirect(result.keptPasskeys ? `/not-me/done?kept=${result.keptPasskeys}` : "/not-me/done");
});
