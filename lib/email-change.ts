import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { getDb, isUniqueViolation } from "@/db/client";
import { passkeys, sessions, users } from "@/db/schema";
import { recordActivity } from "./activity";
import { pointerCookie } from "./cookies";
import { addressInUseEmail, emailChangeEmail } from "./emails";
import { dropProof, issueProof, linkState, peekProof, spendProof, type LinkState } from "./emailed-proof";
import { getConfig } from "./env";
import { fail, type AttemptFailure, type ErrorCode } from "./errors";
import { sendMailLater } from "./mail";
import { sendSecurityNotice } from "./notices";
import { passkeysAddedFrom } from "./passkeys";
import { hit } from "./rate-limit";
import { TOKEN_PATTERN } from "./secrets";
import { requireSession } from "./session";
import { findUserByEmail, normalizeEmail } from "./users";

/**
 * Changing the account's address: the new address is proven by a code or link in the browser
 * that asked (its "email-change" cookie), then the account switches and the old address is told,
 * with a "This wasn't me" link that puts everything back.
 */
const EMAIL_CHANGE_TTL_SECONDS = 15 * 60;
/** How long the old address can undo the change. */
const REVERT_TTL_SECONDS = 7 * 24 * 60 * 60;
const COOKIE_TTL_SECONDS = 60 * 60;

export const emailSchema = z
  .string()
  .trim()
  .min(1, "Enter your new email address.")
  .max(254, "That email address is too long.")
  .pipe(z.email("Enter a valid email address, like you@example.com."))
  .transform(normalizeEmail);

/** A pending change: the account, the address it had when asked (the change is void once that changes), the new one. */
type EmailChange = { userId: string; from: string; email: string; sentAt: number };
/** What "This wasn't me" undoes: the change, and who made it. */
type Revert = { userId: string; from: string; to: string; sessionId: string };

const NAMESPACE = "emailchange";
const REVERT_NAMESPACE = "emailrevert";
const PROOF_ERRORS = { expired: "email_change_expired", badLink: "email_change_expired" } as const;
const changeCookie = () => pointerCookie("email-change", COOKIE_TTL_SECONDS);

/**
 * Starts a change: the new address gets a code and a link; nothing changes until one comes back
 * from this browser. An address that already has an account gets a notice instead, and the answer
 * here is the same (a decoy proof), so no address is revealed as taken.
 */
export async function startEmailChange(newEmail: string): Promise<{ ok: true } | { ok: false; error: ErrorCode }> {
  const guard = await requireSession({ fresh: true, risky: true });
  if (!guard.ok) return guard;
  const { user } = guard.current;
  const email = normalizeEmail(newEmail);
  if (email === user.email) return fail("email_unchanged");
  if (!(await hit("verificationPerEmail", email))) return fail("rate_limited");
  const owner = await findUserByEmail(email);
  const change: EmailChange = { userId: user.id, from: user.email, email, sentAt: Date.now() };
  const { id, code, secret } = await issueProof(NAMESPACE, change, EMAIL_CHANGE_TTL_SECONDS, { account: `user:${user.id}`, decoy: owner !== null });
  const config = getConfig();
  const link = new URL("/account/email", config.appUrl);
  link.searchParams.set("token", secret);
  sendMailLater(
    owner
      ? addressInUseEmail({ to: email, rpName: config.rpName })
      : emailChangeEmail({ to: email, code, link: link.href, rpName: config.rpName, minutes: EMAIL_CHANGE_TTL_SECONDS / 60 }),
  );
  await changeCookie().set(id);
  return { ok: true };
}

/** The new address of this browser's pending change for the signed-in user, and when it was sent. */
export async function pendingEmailChange(userId: string): Promise<{ email: string; sentAt: number } | null> {
  const data = await peekProof<EmailChange>(NAMESPACE, await changeCookie().get());
  return data?.userId === userId ? { email: data.email, sentAt: data.sentAt } : null;
}

/** "Send a new code" to the same new address. */
export async function resendEmailChange(): Promise<{ ok: true } | { ok: false; error: ErrorCode }> {
  const guard = await requireSession();
  if (!guard.ok) return guard;
  const pending = await pendingEmailChange(guard.current.user.id);
  if (!pending) return fail("email_change_expired");
  await dropProof(NAMESPACE, await changeCookie().get());
  return startEmailChange(pending.email);
}

export async function cancelEmailChange(): Promise<void> {
  await dropProof(NAMESPACE, await changeCookie().get());
  await changeCookie().clear();
}

/** What the emailed link's page can say in this browser. */
export async function emailChangeLinkState(userId: string): Promise<{ state: LinkState; email?: string }> {
  const id = await changeCookie().get();
  const data = await peekProof<EmailChange>(NAMESPACE, id);
  if (data && data.userId !== userId) return { state: "elsewhere" };
  const state = await linkState(NAMESPACE, id);
  return { state, email: data?.email };
}

/**
 * Proves the new address and switches to it. The old address is told, with a link to undo it
 * all; the person is offered "sign out other devices".
 */
export async function finishEmailChange(kind: "code" | "link", value: string): Promise<{ ok: true; to: string } | AttemptFailure> {
  const guard = await requireSession({ fresh: true, risky: true });
  if (!guard.ok) return guard;
  const { user, session } = guard.current;
  const spent = await spendProof<EmailChange>(NAMESPACE, await changeCookie().get(), kind, value.replace(/\s/g, ""), PROOF_ERRORS, EMAIL_CHANGE_TTL_SECONDS);
  if (!spent.ok) return spent;
  if (spent.data.userId !== user.id || spent.data.from !== user.email) return fail("email_change_expired");
  const db = await getDb();
  try {
    await db.transaction(async (tx) => {
      await tx.update(users).set({ email: spent.data.email, emailVerifiedAt: new Date() }).where(eq(users.id, user.id));
      await recordActivity(user.id, "email_changed", { from: user.email, to: spent.data.email }, tx);
    });
  } catch (error) {
    if (isUniqueViolation(error)) return fail("email_change_expired");
    throw error;
  }
  const revert: Revert = { userId: user.id, from: user.email, to: spent.data.email, sessionId: session.id };
  const { id, secret } = await issueProof(REVERT_NAMESPACE, revert, REVERT_TTL_SECONDS, { account: `user:${user.id}` });
  const link = new URL("/recover", getConfig().appUrl);
  link.searchParams.set("id", id);
  link.searchParams.set("token", secret);
  sendSecurityNotice(
    user.email,
    "Your email address was changed",
    [`The email address for your account was changed from ${user.email} to ${spent.data.email} from ${session.userAgent}. We won't send mail to this address any more.`, `If you didn't do this, put your address back within ${REVERT_TTL_SECONDS / 86400} days: it also signs out every device.`],
    { label: "This wasn't me", url: link.href },
  );
  return { ok: true, to: spent.data.email };
}

/** What a "This wasn't me" link will undo, without spending it (its page shows this first). */
export async function describeRevert(id: string, token: string): Promise<{ from: string; to: string } | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const data = await peekProof<Revert>(REVERT_NAMESPACE, id);
  return data ? { from: data.from, to: data.to } : null;
}

/**
 * "This wasn't me" from the old address: the old address comes back, every device is signed out
 * and the passkeys added by the session that made the change (and in turn with those) are removed.
 * It works from any browser: the link itself (a 256-bit secret mailed to the old address) is the
 * proof.
 */
export async function revertEmailChange(id: string, token: string): Promise<{ ok: true; email: string } | AttemptFailure> {
  const spent = await spendProof<Revert>(REVERT_NAMESPACE, id, "link", token, { expired: "link_invalid", badLink: "link_invalid" }, REVERT_TTL_SECONDS);
  if (!spent.ok) return spent;
  const { userId, from, to, sessionId } = spent.data;
  const db = await getDb();
  try {
    const restored = await db.transaction(async (tx) => {
      const [user] = await tx.update(users).set({ email: from }).where(and(eq(users.id, userId), eq(users.email, to))).returning({ id: users.id });
      if (!user) return false;
      await tx.delete(sessions).where(eq(sessions.userId, userId));
      const added = await passkeysAddedFrom(tx, userId, sessionId);
      if (added.length) await tx.delete(passkeys).where(inArray(passkeys.id, added));
      await recordActivity(userId, "email_change_reverted", { from: to, to: from, removedPasskeys: String(added.length) }, tx);
      return true;
    });
    if (!restored) return fail("link_invalid");
  } catch (error) {
    // The old address has meanwhile become another account's.
    if (isUniqueViolation(error)) return fail("link_invalid");
    throw error;
  }
  sendSecurityNotice(from, "Your email address is back", [
    `Your account's email address is ${from} again. Every device was signed out, and passkeys added by whoever changed it were removed.`,
    "Sign in by email, then check your passkeys and recent activity.",
  ]);
  return { ok: true, email: from };
}
