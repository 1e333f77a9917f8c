"use server";

import { redirect } from "next/navigation";
import type { TokenState } from "@/components/confirm-token-form";
import { formText } from "@/lib/form-data";
import { confirmWithEmail, reauthFlow } from "@/lib/reauth";

/** The button on the "Confirm it's you" link's page: only pressing it spends the link. */
export async function confirmLinkAction(_prev: TokenState, formData: FormData): Promise<TokenState> {
  const result = await confirmWithEmail("link", formText(formData, "token"));
  if (!result.ok) return reauthFlow.failureState(result, "link");
  redirect("/account?notice=confirmed");
}
