import "server-only";
import { and, eq, inArray, notInArray } from "drizzle-orm";
import { z } from "zod";
import { getDb, isUniqueViolation } from "@/db/client";
import { passkeys, sessions, users } from "@/db/schema";
import { recordActivity } from "./activity";
import { readableDate } from "./dates";
import { addressInUseEmail, emailChangeEmail } from "./emails";
import { defineEmailedFlow } from "./emailed-flow";
import { dropProof, issueProof, peekProof, proofState, spendProof, type LinkState } from "./emailed-proof";
import { getConfig } from "./env";
import { fail, type Result } from "./shared/errors";
import { notePasskeysRemoved, passkeysThatVouch, vouchedBy, vouchingPasskey } from "./hold";
import { kv } from "./kv";
import { sendMailLater } from "./mail";
import { sendSecurityNotice } from "./notices";
import { passkeysAddedFrom } from "./passkeys";
import { hit } from "./rate-limit";
import { TOKEN_PATTERN, sha256Hex } from "./secrets";
import { requireSession, RISKY_CHANGE } from "./session";
import { findUserByEmail, normalizeEmail } from "./users";

/**
 * Changing the account's address: the new address is proven by a code or link in the browser
 * that asked (its "email-change" cookie), then the account switches and the old address is told,
 * with a "This wasn't me" link that puts everything back.
 */
const EMAIL_CHANGE_TTL_SECONDS = 15 * 60;
/** How long the old address can undo the change. */
const REVERT_TTL_SECONDS = 7 * 24 * 60 * 60;

export const emailSchema = z
  .string()
  .trim()
  .min(1, "Enter your new email address.")
  .max(254, "That email address is too long.")
  .pipe(z.email("Enter a valid email address, like you@example.com."))
  .transform(normalizeEmail);

/** A pending change: the account, the address it had when asked (the change is void once that changes), the new one. */
type EmailChange = { userId: string; from: string; email: string; sentAt: number };
/**
 * What "This wasn't me" undoes: the change, who made it and when, and whether a passkey the
 * account already had vouched for that session (then the owner may cancel the undo).
 */
type Revert = { userId: string; from: string; to: string; sessionId: string; at?: number; byPasskey?: boolean };
/** The account's latest undo link, so the account page can show it and its owner cancel it. */
type PendingRevert = { id: string; from: string; to: string; at: number; byPasskey: boolean };

export const emailChangeFlow = defineEmailedFlow<EmailChange>({
  namespace: "emailchange",
  ttlSeconds: EMAIL_CHANGE_TTL_SECONDS,
  cookie: "email-change",
  errors: { expired: "email_change_expired", badLink: "email_change_expired" },
  linkPath: "/account/email",
  owner: (data) => data.userId,
  page: (minutes) => ({
    used: { title: "This link was already used", description: "The change it confirmed is done: your account shows your current address.", action: { href: "/account#email", label: "Go to your account" } },
    expired: { title: "This email change has expired", description: `Links work for ${minutes} minutes. Start the change again from your account; your address hasn't changed.`, action: { href: "/account#email", label: "Go to your account" } },
    ended: { title: "This link no longer works", description: "Too many wrong codes were typed, so the change was ended; your address hasn't changed. Start it again from your account.", action: { href: "/account#email", label: "Go to your account" } },
    elsewhere: {
      title: "Open this link where you asked for it",
      description: "This link works only in the browser where you asked to change your email: open it there, or type the code from the email in that browser.",
      action: { href: "/account#email", label: "Go to your account" },
    },
    moved_on: { title: "Your email address was changed", description: "Your account shows your new address.", action: { href: "/account#email", label: "Go to your account" } },
    signed_in: { title: "You're signed in", description: "Your account shows your current address.", action: { href: "/account#email", label: "Go to your account" } },
    incomplete: { title: "This link is incomplete", description: "Copy the whole link from the email, or type the code in your account page.", action: { href: "/account#email", label: "Go to your account" } },
  }),
});
const REVERT_NAMESPACE = "emailrevert";
const pendingRevertKey = (userId: string) => `emailrevert-pending:${userId}`;
/** How an undo link ended, kept for as long as it would have worked: its page says so instead of "expired". */
const revertOutcomeKey = (id: string) => `emailrevert-outcome:${sha256Hex(id)}`;

/**
 * Starts a change: the new address gets a code and a link; nothing changes until one comes back
 * from this browser. An address that already has an account gets a notice instead, and the answer
 * here is the same (a decoy proof), so no address is revealed as taken.
 */
export async function startEmailChange(newEmail: string): Promise<Result> {
  const guard = await requireSession(...RISKY_CHANGE);
  if (!guard.ok) return guard;
  const { user } = guard.current;
  const email = normalizeEmail(newEmail);
  if (email === user.email) return fail("email_unchanged");
  if (!(await hit("verificationPerEmail", email))) return fail("rate_limited");
  const owner = await findUserByEmail(email);
  const change: EmailChange = { userId: user.id, from: user.email, email, sentAt: Date.now() };
  const { id, code, link } = await emailChangeFlow.issue(change, { account: `user:${user.id}`, decoy: owner !== null });
  mailEmailChange(email, owner !== null, code, link);
  await emailChangeFlow.keep(id);
  return { ok: true };
}

/** The new address gets its code and link, or, when another account has it, a notice instead. */
function mailEmailChange(email: string, taken: boolean, code: string, link: string): void {
  const config = getConfig();
  sendMailLater(
    taken
      ? addressInUseEmail({ to: email, rpName: config.rpName })
      : emailChangeEmail({ to: email, code, link, rpName: config.rpName, minutes: EMAIL_CHANGE_TTL_SECONDS / 60 }),
  );
}

/** The new address of this browser's pending change for the signed-in user, and when it was sent. */
export async function pendingEmailChange(userId: string): Promise<{ email: string; sentAt: number } | null> {
  const data = await emailChangeFlow.pending(userId);
  return data ? { email: data.email, sentAt: data.sentAt } : null;
}

/**
 * "Send a new code" to the same new address: one more code and link for this browser's change,
 * under the same limit; the ones already mailed keep working (reissueProof). Past its codes, a new
 * change replaces this one.
 */
export async function resendEmailChange(): Promise<Result> {
  const guard = await requireSession(...RISKY_CHANGE);
  if (!guard.ok) return guard;
  const pending = await emailChangeFlow.pending(guard.current.user.id);
  if (!pending) return fail("email_change_expired");
  if (!(await hit("verificationPerEmail", pending.email))) return fail("rate_limited");
  const owner = await findUserByEmail(pending.email);
  const added = await emailChangeFlow.resend((data) => ({ ...data, sentAt: Date.now() }), { decoy: owner !== null });
  if (!added) {
    await emailChangeFlow.drop();
    return startEmailChange(pending.email);
  }
  mailEmailChange(pending.email, owner !== null, added.code, added.link);
  return { ok: true };
}

export async function cancelEmailChange(): Promise<void> {
  await emailChangeFlow.drop();
  await emailChangeFlow.cookie().clear();
}

/** What the emailed link's page can say in this browser. */
export async function emailChangeLinkState(userId: string): Promise<{ state: LinkState; email?: string }> {
  const { state, data } = await emailChangeFlow.linkState(userId);
  return { state, email: data?.email };
}

/**
 * Proves the new address and switches to it. The old address is told, with a link to undo it
 * all; the person is offered "sign out other devices".
 */
export async function finishEmailChange(kind: "code" | "link", value: string): Promise<Result<{ to: string }>> {
  const guard = await requireSession(...RISKY_CHANGE);
  if (!guard.ok) return guard;
  const { user, session } = guard.current;
  const spent = await emailChangeFlow.finish(kind, value.replace(/\s/g, ""));
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
  const at = Date.now();
  const byPasskey = (await vouchingPasskey(db, session, new Date(at))) !== null;
  const revert: Revert = { userId: user.id, from: user.email, to: spent.data.email, sessionId: session.id, at, byPasskey };
  const { id, secret } = await issueProof(REVERT_NAMESPACE, revert, REVERT_TTL_SECONDS, { account: `user:${user.id}` });
  await kv().set(pendingRevertKey(user.id), JSON.stringify({ id, from: user.email, to: spent.data.email, at, byPasskey } satisfies PendingRevert), REVERT_TTL_SECONDS);
  const link = new URL("/recover", getConfig().appUrl);
  link.searchParams.set("id", id);
  link.searchParams.set("token", secret);
  sendSecurityNotice(
    user.email,
    "Your email address was changed",
    [
      `The email address for your account was changed from ${user.email} to ${spent.data.email} from ${session.userAgent}, ${readableDate(new Date(at))}. We won't send mail to this address any more.`,
      `If you didn't do this, put your address back within ${REVERT_TTL_SECONDS / 86400} days: it also signs out every device that a passkey you already had doesn't vouch for.`,
    ],
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
 * "This wasn't me" from the old address: the old address comes back, the passkeys added by the
 * session that made the change (and in turn with those) are removed, and every device is signed
 * out but those vouched for by a passkey the account had before the change. It works from any
 * browser: the link itself (a 256-bit secret mailed to the old address) is the proof.
 */
export async function revertEmailChange(id: string, token: string): Promise<Result<{ email: string }>> {
  const spent = await spendProof<Revert>(REVERT_NAMESPACE, id, "link", token, { expired: "link_invalid", badLink: "link_invalid" }, REVERT_TTL_SECONDS);
  if (!spent.ok) return spent;
  // A link mailed before `at` was recorded vouches for no device, as such links always did.
  const { userId, from, to, sessionId, at = 0 } = spent.data;
  const db = await getDb();
  try {
    const restored = await db.transaction(async (tx) => {
      const [user] = await tx.update(users).set({ email: from }).where(and(eq(users.id, userId), eq(users.email, to))).returning({ id: users.id });
      if (!user) return null;
      const added = await passkeysAddedFrom(tx, userId, sessionId);
      // A device vouched for by a passkey the account had before the change is the owner's: the
      // undo is the old address's word, and that address may be the one the owner moved off.
      const vouching = await passkeysThatVouch(tx, userId, new Date(at), { excluding: added });
      const keep = (await tx.select().from(sessions).where(eq(sessions.userId, userId))).filter((device) => vouchedBy(device, vouching)).map((device) => device.id);
      const ended = await tx
        .delete(sessions)
        .where(and(eq(sessions.userId, userId), keep.length ? notInArray(sessions.id, keep) : undefined))
        .returning({ id: sessions.id });
      if (added.length) {
        await tx.delete(passkeys).where(inArray(passkeys.id, added));
        await notePasskeysRemoved(tx, userId);
      }
      await recordActivity(userId, "email_change_reverted", { from: to, to: from, removedPasskeys: String(added.length), signedOut: String(ended.length), kept: String(keep.length) }, tx);
      return { kept: keep.length };
    });
    if (!restored) return fail("link_invalid");
    await Promise.all([kv().del(pendingRevertKey(userId)), rememberRevertOutcome(id, at, "used")]);
    sendSecurityNotice(from, "Your email address is back", [
      `Your account's email address is ${from} again. ${restored.kept ? "Every device was signed out except those signed in with a passkey the account had before the change" : "Every device was signed out"}, and passkeys added by whoever changed it were removed.`,
      "Sign in, then check your passkeys and recent activity.",
    ]);
  } catch (error) {
    // The old address has meanwhile become another account's.
    if (isUniqueViolation(error)) return fail("link_invalid");
    throw error;
  }
  return { ok: true, email: from };
}

async function rememberRevertOutcome(id: string, at: number, outcome: "used" | "kept"): Promise<void> {
  const remaining = Math.ceil((at + REVERT_TTL_SECONDS * 1000 - Date.now()) / 1000);
  if (remaining > 0) await kv().set(revertOutcomeKey(id), outcome, remaining);
}

/**
 * What an undo link that no longer works can truthfully say: used to put the address back, or
 * kept by the owner ("I made this change"), or expired (or never issued), or cut short.
 */
export async function spentRevertState(id: string | undefined, token: string | undefined): Promise<"used" | "kept" | "expired" | "incomplete"> {
  if (!id || !token || !TOKEN_PATTERN.test(id) || !TOKEN_PATTERN.test(token)) return "incomplete";
  const outcome = await kv().get(revertOutcomeKey(id));
  return outcome === "used" || outcome === "kept" ? outcome : "expired";
}

/** The account's undo link that still works, for its page: from, to, until when, and whether the owner may cancel it. */
export async function pendingEmailRevert(userId: string): Promise<{ from: string; to: string; until: Date; cancellable: boolean } | null> {
  const raw = await kv().get(pendingRevertKey(userId));
  if (!raw) return null;
  const pending = JSON.parse(raw) as PendingRevert;
  if ((await proofState(REVERT_NAMESPACE, pending.id)) !== "pending") return null;
  return { from: pending.from, to: pending.to, until: new Date(pending.at + REVERT_TTL_SECONDS * 1000), cancellable: pending.byPasskey };
}

/**
 * "I made this change": the old address's undo link stops working, so whoever holds that address
 * has no lever left. Only for a change a passkey vouched for, pressed from a device vouched for by
 * a passkey the account had before the change (an emailed proof alone never cancels it).
 */
export async function cancelEmailRevert(): Promise<Result<{ from: string }>> {
  const guard = await requireSession(...RISKY_CHANGE);
  if (!guard.ok) return guard;
  const { user, session } = guard.current;
  const raw = await kv().get(pendingRevertKey(user.id));
  const pending = raw ? (JSON.parse(raw) as PendingRevert) : null;
  if (!pending || !pending.byPasskey || pending.to !== user.email) return fail("link_invalid");
  const db = await getDb();
  if (!(await vouchingPasskey(db, session, new Date(pending.at)))) return fail("revert_cancel_needs_passkey");
  await Promise.all([dropProof(REVERT_NAMESPACE, pending.id), kv().del(pendingRevertKey(user.id)), rememberRevertOutcome(pending.id, pending.at, "kept")]);
  await recordActivity(user.id, "email_revert_cancelled", { from: pending.from });
  sendSecurityNotice(user.email, "Your old address can no longer undo the change", [
    `From ${session.userAgent}, you confirmed you changed your address from ${pending.from}. The link we sent there no longer works.`,
  ]);
  return { ok: true, from: pending.from };
}
