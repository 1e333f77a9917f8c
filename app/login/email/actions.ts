"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { approveSignInEmail, finishSignInEmail, signInFlow } from "@/lib/email-sign-in";
import { fail } from "@/lib/shared/errors";
import type { FormState } from "@/lib/shared/form-state";
import { formText } from "@/lib/form-data";
import { getCurrentSession } from "@/lib/session";
import { failed, formAction } from "@/app/action-adapter";

/** The "Sign in" press on the link's page: only this spends the link, never opening it. */
export const confirmEmailLink = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const result = await finishSignInEmail("link", formText(formData, "token"));
  // The redirect drops the token from the address bar and history.
  if (result.ok || (await getCurrentSession())) redirect("/account");
  return signInFlow.failureState(result, "link");
});

export type ApprovalState = FormState & { outcome?: "approved" | "refused" };

const approvalSchema = z.object({ token: z.string(), r: z.string(), number: z.coerce.number().int().min(10).max(99) });

/** A number chosen on another device's approval page (a POST; opening the page changed nothing). */
export const approveSignInAction = formAction(async (_prev: ApprovalState, formData: FormData): Promise<ApprovalState> => {
  const parsed = approvalSchema.safeParse({ token: formText(formData, "token"), r: formText(formData, "r"), number: formText(formData, "number") });
  if (!parsed.success) return failed(fail("invalid_input"));
  const result = await approveSignInEmail(parsed.data.r, parsed.data.token, parsed.data.number);
  if (!result.ok) return failed(result, { restart: result.attemptsLeft === undefined });
  return { outcome: result.outcome };
});
