"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { formText, jsonField } from "@/lib/form-data";
import type { FormState } from "@/lib/shared/form-state";
import { abandonSignup, signupFlow, proveSignupEmail, resendSignupEmail, signupInputSchema, signupPasskeyOptions, signupWithPasskey, signupUndeliverable, skipSignupPasskey, startSignup } from "@/lib/signup";
import { answered, failed, formAction, resent, resultAction } from "@/app/action-adapter";

export type SignupFormState = FormState & {
  values?: { name: string; username: string; email: string };
  fieldErrors?: Partial<Record<"name" | "username" | "email", string>>;
};

const typedValues = (formData: FormData) => ({ name: formText(formData, "name"), username: formText(formData, "username"), email: formText(formData, "email") });

/** Step 1: details. Nothing is created; a code and a link go to the address. */
export const submitSignup = formAction(async (_prev: SignupFormState, formData: FormData): Promise<SignupFormState> => {
  const values = typedValues(formData);
  const parsed = signupInputSchema.safeParse(values);
  if (!parsed.success) {
    const fieldErrors: SignupFormState["fieldErrors"] = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if ((field === "name" || field === "username" || field === "email") && !fieldErrors[field]) fieldErrors[field] = issue.message;
    }
    return { values, fieldErrors };
  }
  const result = await startSignup(parsed.data);
  if (!result.ok) return result.error === "username_taken" ? { values, fieldErrors: { username: "That username is taken. Try another." } } : { values, ...failed(result) };
  redirect("/signup");
}, (_prev, formData) => ({ values: typedValues(formData) }));

/** Step 2: the code from the email, typed in this browser. */
export const submitSignupCode = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const result = await proveSignupEmail("code", formText(formData, "code").replace(/\s/g, ""));
  if (!result.ok) return signupFlow.failureState(result, "code");
  redirect("/signup");
});

/** Step 2, by link: the press of "Confirm" on the link's page (opening the link spent nothing). */
export const confirmSignupLink = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const result = await proveSignupEmail("link", formText(formData, "token"));
  if (!result.ok) return signupFlow.failureState(result, "link");
  redirect("/signup");
});

export const resendSignupCode = formAction(async (): Promise<FormState> => resent(await resendSignupEmail()));

/** Polled by the waiting page: did the mail bounce? */
export async function signupDeliveryAction(): Promise<boolean> {
  return signupUndeliverable();
}

/** "Use a different email" or "Start again": back to the form, with the name and username kept. */
export async function restartSignup(): Promise<void> {
  const kept = await abandonSignup();
  const query = new URLSearchParams(kept ? { username: kept.username, ...(kept.name ? { name: kept.name } : {}) } : {});
  redirect(query.size ? `/signup?${query}` : "/signup");
}

const choiceSchema = z.enum(["localDevice", "remoteDevice"]).optional();

/** Step 3: options for the new account's first passkey, on this device or (where it can't make one) a phone. */
export const signupPasskeyOptionsAction = resultAction(async (choice?: unknown) => {
  const parsed = choiceSchema.safeParse(choice);
  return parsed.success ? signupPasskeyOptions(parsed.data) : { ok: false as const, error: "invalid_input" as const };
});

/**
 * Step 3: the browser's registration response, posted by the page as a plain form: the passkey
 * saved, the sign-up ended and the session started in one request answered with a bare 303
 * (see app/login/actions.ts passkeySignIn). A failure comes back to this step, which shows it.
 */
export async function signupWithPasskeyAction(formData: FormData): Promise<never> {
  const ended = await answered(() => signupWithPasskey(jsonField(formData, "response")));
  redirect(ended.ok ? "/account" : `/signup?passkey_error=${ended.error}`);
}

/** Step 3, "Skip for now": signed in by the email proof alone. */
export async function skipPasskey(): Promise<void> {
  const result = await skipSignupPasskey();
  redirect(result.ok ? "/account" : "/signup");
}
