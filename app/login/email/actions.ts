"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import type { TokenState } from "@/components/confirm-token-form";
import { approveSignInEmail, finishSignInEmail, signInFlow } from "@/lib/email-sign-in";
import { describeFailure, fail } from "@/lib/shared/errors";
import { formText } from "@/lib/form-data";
import { getCurrentSession } from "@/lib/session";

/** The "Sign in" press on the link's page: only this spends the link, never opening it. */
export async function confirmEmailLink(_prev: TokenState, formData: FormData): Promise<TokenState> {
  const result = await finishSignInEmail("link", formText(formData, "token"));
  // The redirect drops the token from the address bar and history.
  if (result.ok || (await getCurrentSession())) redirect("/account");
  return signInFlow.failureState(result, "link");
}

export type ApprovalState = { outcome?: "approved" | "refused"; error?: string; restart?: boolean };

const approvalSchema = z.object({ token: z.string(), r: z.string(), number: z.coerce.number().int().min(10).max(99) });

/** A number chosen on another device's approval page (a POST; opening the page changed nothing). */
export async function approveSignInAction(_prev: ApprovalState, formData: FormData): Promise<ApprovalState> {
  const parsed = approvalSchema.safeParse({ token: formText(formData, "token"), r: formText(formData, "r"), number: formText(formData, "number") });
  if (!parsed.success) return { error: describeFailure(fail("invalid_input")) };
  const result = await approveSignInEmail(parsed.data.r, parsed.data.token, parsed.data.number);
  if (!result.ok) return { error: describeFailure(result), restart: result.attemptsLeft === undefined };
  return { outcome: result.outcome };
}
