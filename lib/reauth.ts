import "server-only";
import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { headers } from "next/headers";
import { recordActivity } from "./activity";
import { pointerCookie } from "./cookies";
import { confirmItsYouEmail } from "./emails";
import { issueProof, linkState, peekProof, reissueProof, spendProof, type LinkState } from "./emailed-proof";
import { getConfig } from "./env";
import { fail, type Result } from "./shared/errors";
import { sendMailLater } from "./mail";
import { clientKey, hit } from "./rate-limit";
import { liftHold } from "./hold";
import { markReauthenticated, requireSession } from "./session";
import { summarizeUserAgent } from "./user-agent";
import { authenticationOptions, verifyAuthentication } from "./webauthn";

/**
 * "Confirm it's you": a signed-in person proves it again, with one of their passkeys or a code or
 * link mailed to the account's address (in this browser, its "reauth" cookie), before removing
 * passkeys, changing the address or deleting the account. Restarts the 10-minute fresh window.
 */
const REAUTH_EMAIL_TTL_SECONDS = 10 * 60;
const COOKIE_TTL_SECONDS = 60 * 60;

type ReauthEmail = { userId: string; email: string; sentAt: number };

const NAMESPACE = "reauth";
const PROOF_ERRORS = { expired: "reauth_expired", badLink: "link_invalid" } as const;
const reauthCookie = () => pointerCookie("reauth", COOKIE_TTL_SECONDS);

export async function confirmOptions(): Promise<Result<{ options: PublicKeyCredentialRequestOptionsJSON }>> {
  const guard = await requireSession();
  if (!guard.ok) return guard;
  return { ok: true, options: await authenticationOptions({ purpose: "confirm", user: guard.current.user }) };
}

/** Confirms with a passkey; one the account had before this session began also lifts its hold (hold.ts). */
export async function confirmWithPasskey(response: unknown): Promise<Result<{ holdLifted: boolean }>> {
  const guard = await requireSession();
  if (!guard.ok) return guard;
  const { user, session } = guard.current;
  const result = await verifyAuthentication(response, { purpose: "confirm", userId: user.id });
  if (!result.ok) return fail(result.error === "unknown_passkey" ? "signin_failed" : result.error);
  await markReauthenticated(session.id, result.passkey.id);
  await recordActivity(user.id, "reauthenticated", { method: "passkey" });
  return { ok: true, holdLifted: await liftHold(session, result.passkey) };
}

/** Mails a code and a link to the account's address. */
export async function requestConfirmEmail(): Promise<Result> {
  const guard = await requireSession();
  if (!guard.ok) return guard;
  const { user } = guard.current;
  if (user.emailSigninDisabled) return fail("passkey_only");
  if (!(await hit("emailPerClient", await clientKey())) || !(await hit("emailPerAddress", user.email))) return fail("rate_limited");
  const data: ReauthEmail = { userId: user.id, email: user.email, sentAt: Date.now() };
  const { id, code, secret } = await issueProof(NAMESPACE, data, REAUTH_EMAIL_TTL_SECONDS, { account: `user:${user.id}` });
  await mailConfirm(user.email, code, secret);
  await reauthCookie().set(id);
  return { ok: true };
}

/**
 * "Send a new code": one more code and link for this browser's request, under the same limits;
 * the ones already mailed keep working (reissueProof). Past its codes, or for an address that has
 * changed meanwhile, a new request replaces this one.
 */
export async function resendConfirmEmail(): Promise<Result> {
  const guard = await requireSession();
  if (!guard.ok) return guard;
  const { user } = guard.current;
  const id = await reauthCookie().get();
  const pending = await peekProof<ReauthEmail>(NAMESPACE, id);
  if (!pending || pending.userId !== user.id || pending.email !== user.email || user.emailSigninDisabled) return requestConfirmEmail();
  if (!(await hit("emailPerClient", await clientKey())) || !(await hit("emailPerAddress", user.email))) return fail("rate_limited");
  const added = await reissueProof<ReauthEmail>(NAMESPACE, id, REAUTH_EMAIL_TTL_SECONDS, (data) => ({ ...data, sentAt: Date.now() }));
  if (!added) return requestConfirmEmail();
  await mailConfirm(user.email, added.code, added.secret);
  return { ok: true };
}

async function mailConfirm(to: string, code: string, secret: string): Promise<void> {
  const config = getConfig();
  const link = new URL("/account/confirm/email", config.appUrl);
  link.searchParams.set("token", secret);
  const requestedBy = summarizeUserAgent((await headers()).get("user-agent"));
  sendMailLater(confirmItsYouEmail({ to, code, link: link.href, rpName: config.rpName, minutes: REAUTH_EMAIL_TTL_SECONDS / 60, requestedBy }));
}

/** This browser's pending request for the signed-in user: where it went and when. */
export async function pendingConfirmEmail(userId: string): Promise<{ email: string; sentAt: number } | null> {
  const data = await peekProof<ReauthEmail>(NAMESPACE, await reauthCookie().get());
  return data?.userId === userId ? { email: data.email, sentAt: data.sentAt } : null;
}

export async function confirmLinkState(userId: string): Promise<LinkState> {
  const id = await reauthCookie().get();
  const data = await peekProof<ReauthEmail>(NAMESPACE, id);
  if (data && data.userId !== userId) return "elsewhere";
  return linkState(NAMESPACE, id);
}

export async function confirmWithEmail(kind: "code" | "link", value: string): Promise<Result> {
  const guard = await requireSession();
  if (!guard.ok) return guard;
  const { user, session } = guard.current;
  const spent = await spendProof<ReauthEmail>(NAMESPACE, await reauthCookie().get(), kind, value.replace(/\s/g, ""), PROOF_ERRORS, REAUTH_EMAIL_TTL_SECONDS);
  if (!spent.ok) return spent;
  if (spent.data.userId !== user.id || spent.data.email !== user.email || user.emailSigninDisabled) return fail("reauth_expired");
  await markReauthenticated(session.id, null);
  await recordActivity(user.id, "reauthenticated", { method: "email" });
  return { ok: true };
}
