"use server";

import { redirect } from "next/navigation";
import { emailChangeFlow, finishEmailChange } from "@/lib/email-change";
import { formText } from "@/lib/form-data";
import type { FormState } from "@/lib/shared/form-state";
import { formAction } from "@/app/action-adapter";

/** The button on the email-change link's page: only pressing it spends the link. */
export const confirmEmailChangeLink = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const result = await finishEmailChange("link", formText(formData, "token"));
  if (!result.ok) return emailChangeFlow.failureState(result, "link");
  redirect("/account?notice=email-changed#email");
});
