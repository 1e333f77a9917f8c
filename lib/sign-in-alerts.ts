import "server-only";
import { and, eq, inArray, or } from "drizzle-orm";
import { getDb, type Db } from "@/db/client";
import { passkeys, sessions, users, type User } from "@/db/schema";
import { recordActivity } from "./activity";
import { readableDate } from "./dates";
import { forgetDevice } from "./device";
import { getConfig } from "./env";
import { fail, type Result } from "./shared/errors";
import { notePasskeysRemoved, vouchingPasskey } from "./hold";
import { kv } from "./kv";
import { sendSecurityNotice } from "./notices";
import { passkeysAddedFrom } from "./passkeys";
import { TOKEN_PATTERN, randomToken, sha256Hex } from "./secrets";
import { getCurrentSession, type CurrentSession } from "./session";

/**
 * New sign-in alerts. A sign-in by email, or by passkey from a browser this account hasn't been
 * used in (no device note for it, lib/device.ts), mails the account with a "This wasn't me" link.
 * Opening the link changes nothing; pressing its button signs out the session that sign-in made
 * and whatever signed in with passkeys it added, and removes those passkeys. The link is a 256-bit
 * secret stored hashed, so it works in any browser.
 */
const REPORT_TTL_SECONDS = 7 * 24 * 60 * 60;

const reportKey = (token: string) => `signin-report:${sha256Hex(token)}`;
/** Remembers, for as long as the link would have worked, that it was pressed: its page then says "already used", not "expired". */
const usedKey = (token: string) => `signin-report:${sha256Hex(token)}:used`;

/** `sessionsEnded`: pressed once from a browser that couldn't remove its passkeys, which it kept. */
type SignInReport = { userId: string; sessionId: string; method: "passkey" | "email"; device: string; deviceHash: string; at: number; sessionsEnded?: boolean };

/** Mails the account about a sign-in, with the link that undoes it. */
export async function alertSignIn(user: User, signIn: Omit<SignInReport, "userId" | "at">, heldUntil: Date | null): Promise<void> {
  const token = randomToken();
  const report: SignInReport = { ...signIn, userId: user.id, at: Date.now() };
  await kv().set(reportKey(token), JSON.stringify(report), REPORT_TTL_SECONDS);
  const config = getConfig();
  const link = new URL("/not-me", config.appUrl);
  link.searchParams.set("token", token);
  const how = signIn.method === "email" ? "with a link or code sent to this address" : "with a passkey, from a browser it hadn't been used in before";
  sendSecurityNotice(
    user.email,
    `New sign-in to ${config.rpName}`,
    [
      `Someone signed in to your account ${user.username} ${how}: ${signIn.device}, ${readableDate(new Date(report.at))}.`,
      ...(heldUntil ? ["Because it signed in by email, for 24 hours it can't remove passkeys, change your email address or delete the account."] : []),
      `If this was you, there's nothing to do. If it wasn't, press the button within ${REPORT_TTL_SECONDS / 86400} days: it signs that sign-in out and removes the passkeys it added, and any added with those. Then secure your email account.`,
    ],
    { label: "This wasn't me", url: link.href },
  );
}

/** What a "This wasn't me" link will undo in this browser, without spending it (its page shows this first). */
export async function describeSignInReport(token: string): Promise<ReportPreview | null> {
  const report = await readReport(token);
  if (!report) return null;
  const db = await getDb();
  const added = await passkeysAddedFrom(db, report.userId, report.sessionId);
  return {
    method: report.method,
    device: report.device,
    at: new Date(report.at),
    addedPasskeys: added.length,
    sessionsEnded: report.sessionsEnded ?? false,
    canRemovePasskeys: added.length > 0 && (await presserVouched(db, await getCurrentSession(), report, added)),
  };
}

export type ReportPreview = { method: SignInReport["method"]; device: string; at: Date; addedPasskeys: number; sessionsEnded: boolean; canRemovePasskeys: boolean };

/** What a link that no longer describes a report can truthfully say: pressed already, or expired (or never issued), or cut short. */
export async function spentReportState(token: string): Promise<"used" | "expired" | "incomplete"> {
  if (!TOKEN_PATTERN.test(token)) return "incomplete";
  return (await kv().get(usedKey(token))) ? "used" : "expired";
}

async function readReport(token: string): Promise<SignInReport | null> {
  const raw = TOKEN_PATTERN.test(token) ? await kv().get(reportKey(token)) : null;
  return raw ? (JSON.parse(raw) as SignInReport) : null;
}

/**
 * Whether this browser may remove what a reported sign-in added: signed in to that account with
 * (or confirmed with) a passkey it had before that sign-in, not among those added, nothing held.
 * The link alone is only a mailbox's word, and a mailbox's reader may be the intruder.
 */
async function presserVouched(tx: Pick<Db, "select">, current: CurrentSession | null, report: SignInReport, added: string[]): Promise<boolean> {
  if (!current || current.user.id !== report.userId) return false;
  return (await vouchingPasskey(tx, current.session, new Date(report.at), { excluding: added })) !== null;
}

/**
 * "This wasn't me": ends that sign-in's session and the sessions signed in with the passkeys it
 * added (and those added in turn with them: passkeysAddedFrom), and forgets that browser. The
 * passkeys themselves are removed only when the press comes from a browser vouched for by an
 * older passkey (presserVouched); otherwise they stay, the link stays good for such a press, and
 * the mail says so. Every outcome is mailed to the account.
 */
export async function reportSignIn(token: string): Promise<Result<{ signedOut: number; removedPasskeys: number; keptPasskeys: number }>> {
  const raw = TOKEN_PATTERN.test(token) ? await kv().take(reportKey(token)) : null;
  if (!raw) return fail("link_invalid");
  const report = JSON.parse(raw) as SignInReport;
  // Read before the transaction: PGlite runs one at a time, and this reads outside it.
  const presser = await getCurrentSession();
  const db = await getDb();
  const undone = await db.transaction(async (tx) => {
    const [owner] = await tx.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, report.userId));
    if (!owner) return null;
    const added = await passkeysAddedFrom(tx, report.userId, report.sessionId);
    const removing = added.length && (await presserVouched(tx, presser, report, added)) ? added : [];
    if (report.sessionsEnded && !removing.length) return "needs_passkey" as const;
    // Sessions first: deleting a passkey would set their passkey_id to null.
    const ended = await tx
      .delete(sessions)
      .where(and(eq(sessions.userId, report.userId), added.length ? or(eq(sessions.id, report.sessionId), inArray(sessions.passkeyId, added)) : eq(sessions.id, report.sessionId)))
      .returning({ id: sessions.id });
    const removed = removing.length ? await tx.delete(passkeys).where(inArray(passkeys.id, removing)).returning({ name: passkeys.name }) : [];
    if (removed.length) await notePasskeysRemoved(tx, report.userId);
    // The next sign-in from that browser is announced again.
    await forgetDevice(tx, report.userId, report.deviceHash);
    const kept = added.length - removed.length;
    await recordActivity(report.userId, "sign_in_reported", { device: report.device, signedOut: String(ended.length), removedPasskeys: String(removed.length), keptPasskeys: String(kept) }, tx);
    return { owner, signedOut: ended.length, removed: removed.map((p) => p.name), kept };
  });
  if (!undone) return fail("link_invalid");
  const remaining = report.at + REPORT_TTL_SECONDS * 1000 - Date.now();
  if (undone === "needs_passkey") {
    // Nothing was done: the link stays as it was.
    await kv().set(reportKey(token), raw, Math.max(1, Math.ceil(remaining / 1000)));
    return fail("report_needs_passkey");
  }
  await kv().set(usedKey(token), "1", Math.max(1, Math.ceil(remaining / 1000)));
  // Kept passkeys: the link can still remove them, pressed where an older passkey vouches.
  if (undone.kept > 0 && remaining > 0) await kv().set(reportKey(token), JSON.stringify({ ...report, sessionsEnded: true } satisfies SignInReport), Math.ceil(remaining / 1000));
  const when = readableDate(new Date(report.at));
  sendSecurityNotice(undone.owner.email, undone.removed.length ? "Passkeys were removed from your account" : "A sign-in to your account was ended", [
    `Someone pressed "This wasn't me" for the sign-in on ${report.device}, ${when}. ${undone.signedOut === 1 ? "1 device was" : `${undone.signedOut} devices were`} signed out.`,
    ...(undone.removed.length ? [`These passkeys it added were removed: ${undone.removed.join(", ")}.`] : []),
    ...(undone.kept
      ? [
          `The ${undone.kept === 1 ? "passkey" : `${undone.kept} passkeys`} it added ${undone.kept === 1 ? "was" : "were"} kept: only a browser signed in with a passkey you had before that sign-in can remove ${undone.kept === 1 ? "it" : "them"}, so a link in your mail can't be used against you. If that sign-in wasn't you, sign in with such a passkey and press the link again, or remove ${undone.kept === 1 ? "it" : "them"} on your account page.`,
        ]
      : []),
    "If you didn't press it, someone else can read your email: secure your email account, then check your account page.",
  ]);
  return { ok: true, signedOut: undone.signedOut, removedPasskeys: undone.removed.length, keptPasskeys: undone.kept };
}
