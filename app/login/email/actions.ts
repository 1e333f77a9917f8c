"use server";

import { redirect } from "next/navigation";
import type { TokenState } from "@/components/confirm-token-form";
import { finishSignInEmail, signInFlow } from "@/lib/email-sign-in";
import { formText } from "@/lib/form-data";
import { getCurrentSession } from "@/lib/session";

/** The "Sign in" press on the link's page: only this spends the link, never opening it. */
export async function confirmEmailLink(_prev: TokenState, formData: FormData): Promise<TokenState> {
  const result = await finishSignInEmail("link", formText(formData, "token"));
  // The redirect drops the token from the address bar and history.
  if (result.ok || (await getCurrentSession())) redirect("/account");
  return signInFlow.failureState(result, "link");
}
