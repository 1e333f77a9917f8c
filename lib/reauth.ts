import "server-only";
import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { headers } from "next/headers";
import { recordActivity } from "./activity";
import { confirmItsYouEmail } from "./emails";
import { defineEmailedFlow } from "./emailed-flow";
import type { LinkState } from "./emailed-proof";
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

type ReauthEmail = { userId: string; email: string; sentAt: number };

export const reauthFlow = defineEmailedFlow<ReauthEmail>({
  namespace: "reauth",
  ttlSeconds: REAUTH_EMAIL_TTL_SECONDS,
  cookie: "reauth",
  errors: { expired: "reauth_expired", badLink: "link_invalid" },
  linkPath: "/account/confirm/email",
  owner: (data) => data.userId,
  page: (minutes) => ({
    used: { title: "You've confirmed it's you", description: "This link was used already. You can make your change now.", action: { href: "/account", label: "Go to your account" } },
    expired: { title: "This link has expired", description: `Links work for ${minutes} minutes, once. Ask for a new one.`, action: { href: "/account/confirm", label: "Ask for a new code" } },
    ended: { title: "This link no longer works", description: "Too many wrong codes were typed, so the request was ended. Ask for a new one.", action: { href: "/account/confirm", label: "Ask for a new code" } },
    elsewhere: {
      title: "Open this link where you asked for it",
      description: "This link works only in the browser where you asked to confirm it's you: open it there, or type the code from the email in that browser.",
      action: { href: "/account/confirm", label: "Confirm it's you here" },
    },
    moved_on: { title: "You've confirmed it's you", description: "You can make your change now.", action: { href: "/account", label: "Go to your account" } },
    signed_in: { title: "You're signed in", description: "You can carry on in your account.", action: { href: "/account", label: "Go to your account" } },
    incomplete: { title: "This link is incomplete", description: "Copy the whole link from the email, or type the code where you asked for it.", action: { href: "/account/confirm", label: "Confirm it's you" } },
  }),
});

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
  const { id, code, link } = await reauthFlow.issue(data, { account: `user:${user.id}` });
  await mailConfirm(user.email, code, link);
  await reauthFlow.keep(id);
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
  const pending = await reauthFlow.pending(user.id);
  if (!pending || pending.email !== user.email || user.emailSigninDisabled) return requestConfirmEmail();
  if (!(await hit("emailPerClient", await clientKey())) || !(await hit("emailPerAddress", user.email))) return fail("rate_limited");
  const added = await reauthFlow.resend((data) => ({ ...data, sentAt: Date.now() }));
  if (!added) return requestConfirmEmail();
  await mailConfirm(user.email, added.code, added.link);
  return { ok: true };
}

async function mailConfirm(to: string, code: string, link: string): Promise<void> {
  const config = getConfig();
  const requestedBy = summarizeUserAgent((await headers()).get("user-agent"));
  sendMailLater(confirmItsYouEmail({ to, code, link, rpName: config.rpName, minutes: REAUTH_EMAIL_TTL_SECONDS / 60, requestedBy }));
}

/** This browser's pending request for the signed-in user: where it went and when. */
export async function pendingConfirmEmail(userId: string): Promise<{ email: string; sentAt: number } | null> {
  const data = await reauthFlow.pending(userId);
  return data ? { email: data.email, sentAt: data.sentAt } : null;
}

export async function confirmLinkState(userId: string): Promise<LinkState> {
  return (await reauthFlow.linkState(userId)).state;
}

export async function confirmWithEmail(kind: "code" | "link", value: string): Promise<Result> {
  const guard = await requireSession();
  if (!guard.ok) return guard;
  const { user, session } = guard.current;
  const spent = await reauthFlow.finish(kind, value.replace(/\s/g, ""));
  if (!spent.ok) return spent;
  if (spent.data.userId !== user.id || spent.data.email !== user.email || user.emailSigninDisabled) return fail("reauth_expired");
  await markReauthenticated(session.id, null);
  await recordActivity(user.id, "reauthenticated", { method: "email" });
  return { ok: true };
}
