"use server";

import { redirect } from "next/navigation";
import { formText } from "@/lib/form-data";
import type { FormState } from "@/lib/shared/form-state";
import { formAction } from "@/app/action-adapter";
import { confirmWithEmail, reauthFlow } from "@/lib/reauth";

/** The button on the "Confirm it's you" link's page: only pressing it spends the link. */
export const confirmLinkAction = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const result = await confirmWithEmail("link", formText(formData, "token"));
  if (!result.ok) return reauthFlow.failureState(result, "link");
  redirect("/account?notice=confirmed");
});
