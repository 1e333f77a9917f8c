import "server-only";
import { and, eq, inArray, or } from "drizzle-orm";
import { getDb } from "@/db/client";
import { knownDevices, passkeys, sessions, users, type User } from "@/db/schema";
import { recordActivity } from "./activity";
import { pointerCookie } from "./cookies";
import { getConfig } from "./env";
import { fail, type ErrorCode } from "./errors";
import { kv } from "./kv";
import { sendSecurityNotice } from "./notices";
import { passkeysAddedFrom } from "./passkeys";
import { TOKEN_PATTERN, randomToken, sha256Hex } from "./secrets";

/**
 * New sign-in alerts. A sign-in by email, or by passkey from a browser this account hasn't seen
 * (its "device" cookie holds a random id; known_devices the account's hashes of them), mails the
 * account with a "This wasn't me" link. Opening the link changes nothing; pressing its button
 * signs out the session that sign-in made and whatever signed in with passkeys it added, and
 * removes those passkeys. The link is a 256-bit secret stored hashed, so it works in any browser.
 */
const REPORT_TTL_SECONDS = 7 * 24 * 60 * 60;
const DEVICE_COOKIE_SECONDS = 400 * 24 * 60 * 60;

const deviceCookie = () => pointerCookie("device", DEVICE_COOKIE_SECONDS);
const reportKey = (token: string) => `signin-report:${sha256Hex(token)}`;

type SignInReport = { userId: string; sessionId: string; method: "passkey" | "email"; device: string; deviceHash: string; at: number };

/** This browser's id (made on its first sign-in) and whether `userId` has signed in from it before; it has now. */
export async function recognizeDevice(userId: string): Promise<{ known: boolean; deviceHash: string }> {
  const cookie = deviceCookie();
  const existing = await cookie.get();
  const id = existing ?? randomToken();
  // Set once (400 days): a returning browser's sign-in sends no header for it.
  if (!existing) await cookie.set(id);
  const deviceHash = sha256Hex(id);
  const db = await getDb();
  const added = await db.insert(knownDevices).values({ userId, deviceHash }).onConflictDoNothing().returning({ deviceHash: knownDevices.deviceHash });
  return { known: added.length === 0, deviceHash };
}

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
      `Someone signed in to your account ${user.username} ${how}: ${signIn.device}, ${new Date(report.at).toUTCString()}.`,
      ...(heldUntil ? ["Because it signed in by email, for 24 hours it can't remove passkeys, change your email address or delete the account."] : []),
      `If this was you, there's nothing to do. If it wasn't, press the button within ${REPORT_TTL_SECONDS / 86400} days: it signs that sign-in out and removes the passkeys it added, and any added with those. Then secure your email account.`,
    ],
    { label: "This wasn't me", url: link.href },
  );
}

/** What a "This wasn't me" link will undo, without spending it (its page shows this first). */
export async function describeSignInReport(token: string): Promise<{ method: SignInReport["method"]; device: string; at: Date } | null> {
  const raw = TOKEN_PATTERN.test(token) ? await kv().get(reportKey(token)) : null;
  if (!raw) return null;
  const report = JSON.parse(raw) as SignInReport;
  return { method: report.method, device: report.device, at: new Date(report.at) };
}

/**
 * "This wasn't me": ends that sign-in's session, removes the passkeys it added and those added in
 * turn by sessions signed in with them (passkeysAddedFrom), and ends those passkeys' sessions.
 * Works once.
 */
export async function reportSignIn(token: string): Promise<{ ok: true; signedOut: number; removedPasskeys: number } | { ok: false; error: ErrorCode }> {
  const raw = TOKEN_PATTERN.test(token) ? await kv().take(reportKey(token)) : null;
  if (!raw) return fail("link_invalid");
  const report = JSON.parse(raw) as SignInReport;
  const db = await getDb();
  const undone = await db.transaction(async (tx) => {
    const [owner] = await tx.select({ id: users.id }).from(users).where(eq(users.id, report.userId));
    if (!owner) return null;
    const passkeyIds = await passkeysAddedFrom(tx, report.userId, report.sessionId);
    // Sessions first: deleting a passkey would set their passkey_id to null.
    const ended = await tx
      .delete(sessions)
      .where(and(eq(sessions.userId, report.userId), passkeyIds.length ? or(eq(sessions.id, report.sessionId), inArray(sessions.passkeyId, passkeyIds)) : eq(sessions.id, report.sessionId)))
      .returning({ id: sessions.id });
    if (passkeyIds.length) await tx.delete(passkeys).where(inArray(passkeys.id, passkeyIds));
    // The next sign-in from that browser is announced again.
    await tx.delete(knownDevices).where(and(eq(knownDevices.userId, report.userId), eq(knownDevices.deviceHash, report.deviceHash)));
    await recordActivity(report.userId, "sign_in_reported", { device: report.device, signedOut: String(ended.length), removedPasskeys: String(passkeyIds.length) }, tx);
    return { signedOut: ended.length, removedPasskeys: passkeyIds.length };
  });
  return undone ? { ok: true, ...undone } : fail("link_invalid");
}
