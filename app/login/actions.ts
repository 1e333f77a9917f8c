"use server";

import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { after } from "next/server";
import { z } from "zod";
import { consumeEmailSignIn, requestEmailSignIn } from "@/lib/email-auth";
import { getConfig } from "@/lib/env";
import { formText } from "@/lib/form-data";
import { describeFailure, messageFor } from "@/lib/errors";
import { flowCookie, rememberCookie } from "@/lib/flow";
import { beginAuthentication, finishAuthentication } from "@/lib/passkeys";
import { clientKey, hit } from "@/lib/rate-limit";
import { safeNextPath } from "@/lib/safe-next";
import { completeSignIn } from "@/lib/sign-in";
import { summarizeUserAgent } from "@/lib/user-agent";
import { findUserById, findUserByIdentifier } from "@/lib/users";

const identifierSchema = z.string().trim().min(1, "Enter your username or email.").max(254, "That's too long for a username or email.");
const modeSchema = z.enum(["discoverable", "identified"]);

function loginUrl(next: unknown): string {
  const path = safeNextPath(next, "");
  return path ? `/login?next=${encodeURIComponent(path)}` : "/login";
}

export type ContinueState = { error?: string; value?: string };

/** Username-first, step 1: remember what was typed; step 2 looks the same whether or not it exists. */
export async function continueWithIdentifier(_prev: ContinueState, formData: FormData): Promise<ContinueState> {
  const raw = formText(formData, "identifier");
  const parsed = identifierSchema.safeParse(raw);
  if (!parsed.success) return { error: parsed.error.issues[0]?.message, value: raw.slice(0, 254) };
  const flow = await flowCookie();
  flow.loginIdentifier = parsed.data;
  await flow.save();
  redirect(loginUrl(formText(formData, "next")));
}

/** Forget the remembered user and the typed name; back to step 1. */
export async function switchUser(formData: FormData): Promise<void> {
  (await rememberCookie()).destroy();
  const flow = await flowCookie();
  flow.loginIdentifier = undefined;
  await flow.save();
  redirect(loginUrl(formText(formData, "next")));
}

export type LoginOptionsResult = { ok: true; options: PublicKeyCredentialRequestOptionsJSON } | { ok: false; error: string };

/**
 * Options for a passkey sign-in: "discoverable" (autofill and the no-username button) or
 * "identified" (the remembered or typed user's passkeys).
 */
export async function passkeyLoginOptions(mode: unknown): Promise<LoginOptionsResult> {
  const parsedMode = modeSchema.safeParse(mode);
  if (!parsedMode.success) return { ok: false, error: messageFor("invalid_input") };
  if (!(await hit("optionsPerClient", await clientKey()))) return { ok: false, error: messageFor("rate_limited") };
  const flow = await flowCookie();
  let begun;
  if (parsedMode.data === "identified") {
    const remembered = await rememberCookie();
    const rememberedUser = remembered.userId ? await findUserById(remembered.userId) : null;
    const identifier = rememberedUser?.username ?? flow.loginIdentifier;
    if (!identifier) return { ok: false, error: messageFor("challenge_expired") };
    begun = await beginAuthentication({ identifier, user: rememberedUser ?? (await findUserByIdentifier(identifier)) });
  } else {
    begun = await beginAuthentication();
  }
  flow.authFlowId = begun.flowId;
  await flow.save();
  return { ok: true, options: begun.options };
}

export type LoginResult = { ok: true; next: string } | { ok: false; error: string; unknownCredential?: { rpID: string; credentialID: string } };

/** Verifies the browser's assertion and signs in with a fresh session (method "passkey"). */
export async function passkeyLoginVerify(response: unknown, next: unknown): Promise<LoginResult> {
  const flow = await flowCookie();
  const result = await finishAuthentication(flow.authFlowId, response);
  flow.authFlowId = undefined;
  if (!result.ok) {
    await flow.save();
    return {
      ok: false,
      error: messageFor(result.error),
      unknownCredential: result.unknownCredentialId ? { rpID: getConfig().rpID, credentialID: result.unknownCredentialId } : undefined,
    };
  }
  flow.loginIdentifier = undefined;
  await flow.save();
  await completeSignIn(result.user, "passkey", result.passkey.id);
  return { ok: true, next: safeNextPath(next) };
}

/** "Email me a sign-in link": the same answer and the same page whether or not the account exists. */
export async function requestEmailLink(formData: FormData): Promise<void> {
  const flow = await flowCookie();
  const remembered = await rememberCookie();
  const identifier = remembered.username ?? flow.loginIdentifier;
  if (!identifier) redirect(loginUrl(formText(formData, "next")));
  const userAgent = (await headers()).get("user-agent");
  const requested = await requestEmailSignIn(identifier, { client: await clientKey(), requestedBy: summarizeUserAgent(userAgent), schedule: after });
  if (!requested.ok) {
    const next = safeNextPath(formText(formData, "next"), "");
    redirect(`/login?error=${requested.error}${next ? `&next=${encodeURIComponent(next)}` : ""}`);
  }
  flow.emailSignInId = requested.id;
  flow.emailSignInFor = identifier;
  await flow.save();
  const next = safeNextPath(formText(formData, "next"), "");
  redirect(next ? `/login/code?next=${encodeURIComponent(next)}` : "/login/code");
}

export type EmailCodeState = { error?: string; restart?: boolean };

async function finishEmailSignIn(kind: "code" | "link", value: string, next: unknown): Promise<EmailCodeState> {
  const flow = await flowCookie();
  const result = await consumeEmailSignIn(flow.emailSignInId, kind, value);
  if (!result.ok) return { error: describeFailure(result), restart: result.error === "too_many_attempts" || result.error === "email_signin_expired" };
  flow.emailSignInId = undefined;
  flow.emailSignInFor = undefined;
  flow.loginIdentifier = undefined;
  await flow.save();
  await completeSignIn(result.user, "email");
  // The redirect drops the token from the address bar and history.
  redirect(safeNextPath(next));
}

/** The code from the email, typed in the browser that asked. */
export async function submitEmailCode(_prev: EmailCodeState, formData: FormData): Promise<EmailCodeState> {
  return finishEmailSignIn("code", formText(formData, "code").replace(/\s/g, ""), formText(formData, "next"));
}

/** The "Sign in" press on the link's page: only this consumes the link, never opening it. */
export async function confirmEmailLink(_prev: EmailCodeState, formData: FormData): Promise<EmailCodeState> {
  return finishEmailSignIn("link", formText(formData, "token"), formText(formData, "next"));
}
