"use server";

import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { after } from "next/server";
import { z } from "zod";
import type { Signals } from "@/components/signals";
import type { User } from "@/db/schema";
import { cancelEmailChange, deleteAccount, deleteConfirmationSchema, emailSchema, finishEmailChange, nameSchema, securityNotice, startEmailChange, updateName } from "@/lib/account";
import { recordActivity } from "@/lib/activity";
import { consumeEmailSignIn, requestEmailSignIn } from "@/lib/email-auth";
import { getConfig } from "@/lib/env";
import { formText } from "@/lib/form-data";
import { describeFailure, messageFor } from "@/lib/errors";
import { flowCookie, rememberCookie } from "@/lib/flow";
import { sendMail } from "@/lib/mail";
import { beginAuthentication, beginRegistration, deletePasskey, finishAuthentication, finishRegistration, listPasskeys, passkeyNameSchema, renamePasskey } from "@/lib/passkeys";
import { clientKey } from "@/lib/rate-limit";
import { endSession, getCurrentSession, isFresh, markReauthenticated, revokeOtherSessions, revokeSession, type CurrentSession } from "@/lib/session";
import { summarizeUserAgent } from "@/lib/user-agent";


export type ActionResult = { ok: true; signals?: Signals } | { ok: false; error: string; reauth?: boolean };

const idSchema = z.string().min(1).max(2048);

/** POST only (a server action): a link or prefetch can never sign anyone out. */
export async function signOut(): Promise<void> {
  await endSession();
  redirect("/");
}

/** Each action checks the session itself; `fresh` also demands a recent sign-in or confirmation. */
async function guard(fresh = false): Promise<{ ok: true; current: CurrentSession } | { ok: false; error: string; reauth?: boolean }> {
  const current = await getCurrentSession();
  if (!current) return { ok: false, error: messageFor("not_signed_in"), reauth: true };
  if (fresh && !isFresh(current.session)) return { ok: false, error: messageFor("reauth_required"), reauth: true };
  return { ok: true, current };
}

async function credentialSignals(user: User, withDetails = false): Promise<Signals> {
  return {
    rpID: getConfig().rpID,
    userID: user.webauthnUserId,
    allAcceptedCredentialIDs: (await listPasskeys(user.id)).map((p) => p.id),
    userDetails: withDetails ? { userName: user.username, userDisplayName: user.name || user.username } : undefined,
  };
}

function notify(to: string, subject: string, lines: string[]): void {
  const message = securityNotice(to, subject, lines);
  after(() => sendMail(message));
}

export type AddPasskeyOptions = { ok: true; options: PublicKeyCredentialCreationOptionsJSON } | { ok: false; error: string; reauth?: boolean };

/** Options for another passkey. Needs a sign-in (or confirmation) from the last 10 minutes. */
export async function addPasskeyOptions(): Promise<AddPasskeyOptions> {
  const g = await guard(true);
  if (!g.ok) return g;
  const begun = await beginRegistration(g.current.user);
  if (!begun.ok) return { ok: false, error: messageFor(begun.error) };
  const flow = await flowCookie();
  flow.regFlowId = begun.flowId;
  await flow.save();
  return { ok: true, options: begun.options };
}

/** Stores the new passkey; after an email sign-in it becomes this session's passkey ("this device"). */
export async function addPasskeyVerify(response: unknown): Promise<ActionResult> {
  const g = await guard();
  if (!g.ok) return g;
  const { user, session } = g.current;
  const flow = await flowCookie();
  const result = await finishRegistration(flow.regFlowId, user.id, response, { sessionId: session.id });
  flow.regFlowId = undefined;
  await flow.save();
  if (!result.ok) return { ok: false, error: messageFor(result.error) };
  notify(user.email, "A passkey was added to your account", [`A passkey (${result.passkey.name}) was added to your account from ${session.userAgent}.`]);
  return { ok: true };
}

export async function renamePasskeyAction(passkeyId: unknown, name: unknown): Promise<ActionResult> {
  const g = await guard();
  if (!g.ok) return g;
  const id = idSchema.safeParse(passkeyId);
  const parsed = passkeyNameSchema.safeParse(name);
  if (!id.success) return { ok: false, error: messageFor("invalid_input") };
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]?.message ?? messageFor("invalid_input") };
  if (!(await renamePasskey(g.current.user.id, id.data, parsed.data))) return { ok: false, error: messageFor("passkey_not_found") };
  return { ok: true, signals: await credentialSignals(g.current.user) };
}

export async function deletePasskeyAction(passkeyId: unknown): Promise<ActionResult> {
  const g = await guard(true);
  if (!g.ok) return g;
  const id = idSchema.safeParse(passkeyId);
  if (!id.success) return { ok: false, error: messageFor("invalid_input") };
  const deleted = await deletePasskey(g.current.user.id, id.data, g.current.session.id);
  if (!deleted) return { ok: false, error: messageFor("passkey_not_found") };
  notify(g.current.user.email, "A passkey was removed from your account", [`The passkey "${deleted.passkey.name}" was removed from your account. It can no longer be used to sign in, and devices that signed in with it were signed out.`]);
  return { ok: true, signals: await credentialSignals(g.current.user) };
}

/** Signs one device out; signing out this device is a plain sign-out. */
export async function revokeSessionAction(formData: FormData): Promise<void> {
  const g = await guard();
  if (!g.ok) redirect("/login?next=/account");
  const id = idSchema.safeParse(formText(formData, "sessionId"));
  if (!id.success) redirect("/account");
  if (id.data === g.current.session.id) return signOut();
  const revoked = await revokeSession(g.current.user.id, id.data);
  if (revoked) await recordActivity(g.current.user.id, "session_revoked", { device: revoked.userAgent });
  redirect("/account");
}

export async function revokeOtherSessionsAction(): Promise<void> {
  const g = await guard();
  if (!g.ok) redirect("/login?next=/account");
  const count = await revokeOtherSessions(g.current.user.id, g.current.session.id);
  await recordActivity(g.current.user.id, "other_sessions_revoked", { count: String(count) });
  redirect("/account");
}

export type FormState = { ok?: boolean; error?: string; reauth?: boolean; signals?: Signals };

export async function updateNameAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const g = await guard();
  if (!g.ok) return g;
  const parsed = nameSchema.safeParse(formText(formData, "name"));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message };
  await updateName(g.current.user.id, parsed.data);
  const user = { ...g.current.user, name: parsed.data };
  return { ok: true, signals: await credentialSignals(user, true) };
}

export async function startEmailChangeAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const g = await guard(true);
  if (!g.ok) return g;
  const parsed = emailSchema.safeParse(formText(formData, "email"));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message };
  const started = await startEmailChange(g.current.user, parsed.data, after);
  if (!started.ok) return { error: messageFor(started.error) };
  const flow = await flowCookie();
  flow.emailChangeId = started.id;
  await flow.save();
  redirect("/account#email");
}

async function finishEmailChangeWith(kind: "code" | "link", value: string): Promise<FormState> {
  const g = await guard(true);
  if (!g.ok) return g;
  const flow = await flowCookie();
  const result = await finishEmailChange(g.current.user, flow.emailChangeId, kind, value.replace(/\s/g, ""));
  if (!result.ok) return { error: describeFailure(result) };
  flow.emailChangeId = undefined;
  await flow.save();
  notify(result.from, "Your email address was changed", [`The email address for your account was changed from ${result.from} to ${result.to}.`]);
  redirect("/account?notice=email-changed");
}

export async function submitEmailChangeCode(_prev: FormState, formData: FormData): Promise<FormState> {
  return finishEmailChangeWith("code", formText(formData, "code"));
}

export async function confirmEmailChangeLink(_prev: FormState, formData: FormData): Promise<FormState> {
  return finishEmailChangeWith("link", formText(formData, "token"));
}

export async function cancelEmailChangeAction(): Promise<void> {
  const flow = await flowCookie();
  await cancelEmailChange(flow.emailChangeId);
  flow.emailChangeId = undefined;
  await flow.save();
  redirect("/account#email");
}

/**
 * Deletes the account after a typed confirmation. The home page then tells the browser that no
 * passkey of this account is accepted any more (the handle travels in the flow cookie).
 */
export async function deleteAccountAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const g = await guard(true);
  if (!g.ok) return g;
  const { user } = g.current;
  const confirmation = deleteConfirmationSchema(user.username).safeParse(formText(formData, "confirm"));
  if (!confirmation.success) return { error: confirmation.error.issues[0]?.message };
  await deleteAccount(user.id);
  notify(user.email, "Your account was deleted", [`Your account ${user.username} and everything in it (passkeys, devices, activity) were deleted.`, "Your passkeys for this site no longer work; you can remove them from your passkey manager."]);
  await endSession();
  (await rememberCookie()).destroy();
  const flow = await flowCookie();
  flow.deletedUserHandle = user.webauthnUserId;
  await flow.save();
  redirect("/?deleted=1");
}

export type ReauthOptions = { ok: true; options: PublicKeyCredentialRequestOptionsJSON } | { ok: false; error: string };

/** "Confirm it's you" with one of this account's passkeys. */
export async function reauthPasskeyOptions(): Promise<ReauthOptions> {
  const g = await guard();
  if (!g.ok) return g;
  const begun = await beginAuthentication({ identifier: g.current.user.username, user: g.current.user });
  const flow = await flowCookie();
  flow.authFlowId = begun.flowId;
  await flow.save();
  return { ok: true, options: begun.options };
}

export async function reauthPasskeyVerify(response: unknown): Promise<ActionResult> {
  const g = await guard();
  if (!g.ok) return g;
  const flow = await flowCookie();
  const result = await finishAuthentication(flow.authFlowId, response);
  flow.authFlowId = undefined;
  await flow.save();
  if (!result.ok || result.user.id !== g.current.user.id) return { ok: false, error: messageFor(result.ok ? "signin_failed" : result.error) };
  await markReauthenticated(g.current.session.id);
  await recordActivity(g.current.user.id, "reauthenticated", { method: "passkey" });
  return { ok: true };
}

/** "Confirm it's you" by a code mailed to the account address. */
export async function reauthEmailRequest(): Promise<void> {
  const g = await guard();
  if (!g.ok) redirect("/login?next=/account");
  const userAgent = (await headers()).get("user-agent");
  const requested = await requestEmailSignIn(g.current.user.email, { client: await clientKey(), requestedBy: summarizeUserAgent(userAgent), schedule: after });
  if (!requested.ok) redirect("/account/confirm?error=rate_limited");
  const flow = await flowCookie();
  flow.reauthEmailId = requested.id;
  await flow.save();
  redirect("/account/confirm?sent=1");
}

export async function reauthEmailCode(_prev: FormState, formData: FormData): Promise<FormState> {
  const g = await guard();
  if (!g.ok) return g;
  const flow = await flowCookie();
  const result = await consumeEmailSignIn(flow.reauthEmailId, "code", formText(formData, "code").replace(/\s/g, ""));
  if (!result.ok) return { error: describeFailure(result) };
  if (result.user.id !== g.current.user.id) return { error: messageFor("email_signin_expired") };
  flow.reauthEmailId = undefined;
  await flow.save();
  await markReauthenticated(g.current.session.id);
  await recordActivity(g.current.user.id, "reauthenticated", { method: "email" });
  redirect("/account");
}
