"use server";

import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import { redirect } from "next/navigation";
import { after } from "next/server";
import { formText } from "@/lib/form-data";
import { describeFailure, messageFor, type ErrorCode } from "@/lib/errors";
import { flowCookie, type Flow } from "@/lib/flow";
import { beginRegistration, finishRegistration } from "@/lib/passkeys";
import { clientKey } from "@/lib/rate-limit";
import { completeSignIn } from "@/lib/sign-in";
import { abandonSignup, getPendingSignup, proveSignupEmail, signupInputSchema, startSignup, takeProvenSignup } from "@/lib/signup";
import { findUserById } from "@/lib/users";

export type SignupFormState = {
  values?: { name: string; username: string; email: string };
  fieldErrors?: Partial<Record<"name" | "username" | "email", string>>;
  error?: string;
};

/** Step 1: details. Nothing is created; a code and a link go to the address. */
export async function submitSignup(_prev: SignupFormState, formData: FormData): Promise<SignupFormState> {
  const values = { name: formText(formData, "name"), username: formText(formData, "username"), email: formText(formData, "email") };
  const parsed = signupInputSchema.safeParse(values);
  if (!parsed.success) {
    const fieldErrors: SignupFormState["fieldErrors"] = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if ((field === "name" || field === "username" || field === "email") && !fieldErrors[field]) fieldErrors[field] = issue.message;
    }
    return { values, fieldErrors };
  }
  const result = await startSignup(parsed.data, { client: await clientKey(), schedule: after });
  if (!result.ok) {
    if (result.error === "username_taken") return { values, fieldErrors: { username: messageFor(result.error) } };
    return { values, error: messageFor(result.error) };
  }
  const flow = await flowCookie();
  flow.signupId = result.id;
  await flow.save();
  redirect("/signup");
}

export type CodeState = { error?: string; restart?: boolean };

const RESTART_ERRORS: ErrorCode[] = ["signup_expired", "too_many_attempts", "username_taken", "email_taken"];

/** Step 2: the code from the email, typed in this browser. */
export async function submitSignupCode(_prev: CodeState, formData: FormData): Promise<CodeState> {
  const code = formText(formData, "code").replace(/\s/g, "");
  const flow = await flowCookie();
  const result = await proveSignupEmail(flow.signupId, "code", code);
  if (!result.ok) return { error: describeFailure(result), restart: RESTART_ERRORS.includes(result.error) };
  redirect("/signup");
}

/** Step 2, by link: the press of "Confirm" on the link's page (opening the link consumed nothing). */
export async function confirmSignupLink(_prev: CodeState, formData: FormData): Promise<CodeState> {
  const flow = await flowCookie();
  const result = await proveSignupEmail(flow.signupId, "link", formText(formData, "token"));
  if (!result.ok) return { error: messageFor(result.error), restart: true };
  redirect("/signup");
}

/** Abandon the pending sign-up and show the empty form. */
export async function restartSignup(): Promise<void> {
  const flow = await flowCookie();
  await abandonSignup(flow.signupId);
  flow.signupId = undefined;
  await flow.save();
  redirect("/signup");
}

async function provenUserId(flow: Partial<Flow>): Promise<{ userId: string } | null> {
  const pending = await getPendingSignup(flow.signupId);
  return pending?.stage === "passkey" ? { userId: pending.userId } : null;
}

export type OptionsResult = { ok: true; options: PublicKeyCredentialCreationOptionsJSON } | { ok: false; error: string; restart?: boolean };

/** Step 3: options for the new account's first passkey. */
export async function signupPasskeyOptions(): Promise<OptionsResult> {
  const flow = await flowCookie();
  const proven = await provenUserId(flow);
  const user = proven && (await findUserById(proven.userId));
  if (!user) return { ok: false, error: messageFor("signup_expired"), restart: true };
  const begun = await beginRegistration(user);
  if (!begun.ok) return { ok: false, error: messageFor(begun.error) };
  flow.regFlowId = begun.flowId;
  await flow.save();
  return { ok: true, options: begun.options };
}

export type VerifyResult = { ok: true; next: string } | { ok: false; error: string; restart?: boolean };

/** Step 3: the browser's registration response. Success signs in (method "passkey"). */
export async function signupPasskeyVerify(response: unknown): Promise<VerifyResult> {
  const flow = await flowCookie();
  const proven = await provenUserId(flow);
  if (!proven) return { ok: false, error: messageFor("signup_expired"), restart: true };
  const result = await finishRegistration(flow.regFlowId, proven.userId, response);
  flow.regFlowId = undefined;
  if (!result.ok) {
    await flow.save();
    return { ok: false, error: messageFor(result.error) };
  }
  await finishSignup(flow, proven.userId, "passkey", result.passkey.id);
  return { ok: true, next: "/account" };
}

/** Step 3, "Skip for now": signed in by the email proof alone (method "email"). */
export async function skipSignupPasskey(): Promise<void> {
  const flow = await flowCookie();
  const pending = await getPendingSignup(flow.signupId);
  if (pending?.stage !== "passkey") redirect("/signup");
  await finishSignup(flow, pending.userId, "email", null);
  redirect("/account");
}

/** Ends the pending sign-up and signs in; taking the record makes a second finish a no-op. */
async function finishSignup(flow: Awaited<ReturnType<typeof flowCookie>>, userId: string, method: "passkey" | "email", passkeyId: string | null): Promise<void> {
  if (!(await takeProvenSignup(flow.signupId))) redirect("/signup");
  flow.signupId = undefined;
  flow.regFlowId = undefined;
  await flow.save();
  const user = await findUserById(userId);
  if (user) await completeSignIn(user, method, passkeyId);
}
