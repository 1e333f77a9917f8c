import "server-only";
import { and, desc, eq, ne } from "drizzle-orm";
import { headers } from "next/headers";
import { cache } from "react";
import { getDb } from "@/db/client";
import { sessions, users, type Session, type User } from "@/db/schema";
import { recordActivity, type Activity } from "./activity";
import { sealedCookie } from "./cookies";
import { fail, type ErrorCode, type Result } from "./shared/errors";
import { heldUntil } from "./hold";
import { randomToken, sha256Hex } from "./secrets";
import { summarizeUserAgent } from "./user-agent";

/**
 * Sessions: a row per signed-in device, and an iron-session cookie holding only a token whose
 * SHA-256 is the row's id. Deleting the row signs that device out, wherever the cookie is.
 */
export const IDLE_TIMEOUT_MS = 14 * 24 * 60 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 30 * 24 * 60 * 60 * 1000;
/** A sign-in this recent counts as fresh for sensitive changes (removing a passkey, say). */
const FRESH_WINDOW_MS = 10 * 60 * 1000;
/** last_seen_at is written at most this often, so reading pages costs no write. */
const TOUCH_INTERVAL_MS = 60 * 1000;

export type AuthMethod = Session["method"];
export type CurrentSession = { session: Session; user: User };

function sessionCookie() {
  return sealedCookie<{ token: string }>("session", ABSOLUTE_TIMEOUT_MS / 1000);
}

/**
 * Creates a session row and returns its token and id. Pure database work; the cookie is the
 * caller's. With `recording`, the account's activity entry for it goes in the same statement.
 */
export async function insertSession(
  input: { userId: string; method: AuthMethod; passkeyId?: string | null; userAgent?: string | null; heldUntil?: Date | null; passkeyOffer?: Session["passkeyOffer"] },
  now = new Date(),
  recording?: Activity,
): Promise<{ token: string; id: string }> {
  const token = randomToken();
  const id = sha256Hex(token);
  const db = await getDb();
  const insert = db.insert(sessions).values({
    id,
    userId: input.userId,
    method: input.method,
    passkeyId: input.passkeyId ?? null,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + ABSOLUTE_TIMEOUT_MS),
    userAgent: summarizeUserAgent(input.userAgent),
    heldUntil: input.heldUntil ?? null,
    passkeyOffer: input.passkeyOffer ?? null,
  });
  // One round trip, not two: a data-modifying WITH runs whether or not the main statement reads it.
  if (recording) await recordActivity(input.userId, recording.type, recording.detail, db.with(db.$with("new_session").as(insert)));
  else await insert;
  return { token, id };
}

/** The session a token points at, if it is within its idle and absolute limits. Expired rows are deleted. */
export async function validateSessionToken(token: string, now = new Date()): Promise<CurrentSession | null> {
  const db = await getDb();
  const id = sha256Hex(token);
  const [row] = await db.select({ session: sessions, user: users }).from(sessions).innerJoin(users, eq(users.id, sessions.userId)).where(eq(sessions.id, id));
  if (!row) return null;
  const t = now.getTime();
  if (t >= row.session.expiresAt.getTime() || t - row.session.lastSeenAt.getTime() >= IDLE_TIMEOUT_MS) {
    await db.delete(sessions).where(eq(sessions.id, id));
    return null;
  }
  if (t - row.session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id));
    row.session.lastSeenAt = now;
  }
  return row;
}

/**
 * Signs this browser in: a new row (with its activity entry) and a new cookie every time (no
 * fixation); the browser's previous session, if any, is deleted. The one cookie a sign-in seals.
 */
export async function startSession(input: { userId: string; method: AuthMethod; passkeyId?: string | null; heldUntil?: Date | null; passkeyOffer?: Session["passkeyOffer"] }, recording: Activity): Promise<Session["id"]> {
  const cookie = await sessionCookie();
  if (cookie.token) await deleteSessionByToken(cookie.token);
  const userAgent = (await headers()).get("user-agent");
  const { token, id } = await insertSession({ ...input, userAgent }, new Date(), recording);
  cookie.token = token;
  await cookie.save();
  return id;
}

/** The signed-in session of this request, checked against its row once per request. */
export const getCurrentSession = cache(async (): Promise<CurrentSession | null> => {
  const cookie = await sessionCookie();
  if (!cookie.token || typeof cookie.token !== "string") return null;
  return validateSessionToken(cookie.token);
});

/** Sign out: the row goes (so a copied cookie stops working) and so does the cookie. */
export async function endSession(): Promise<void> {
  const cookie = await sessionCookie();
  if (cookie.token) await deleteSessionByToken(cookie.token);
  cookie.destroy();
}

async function deleteSessionByToken(token: string): Promise<void> {
  const db = await getDb();
  await db.delete(sessions).where(eq(sessions.id, sha256Hex(token)));
}

/** Signed in, or confirmed it was them, within the last 10 minutes. */
export function isFresh(session: Session, now = new Date()): boolean {
  const last = Math.max(session.createdAt.getTime(), session.reauthenticatedAt?.getTime() ?? 0);
  return now.getTime() - last < FRESH_WINDOW_MS;
}

/**
 * What a use case can need of the signed-in session, besides being signed in: `notHeld`, not on
 * hold after an email sign-in (lib/hold.ts); `fresh`, a sign-in or "confirm it's you" in the last
 * 10 minutes. Checked in this order; the first unmet need is the failure.
 */
const NEEDS = {
  notHeld: (session: Session, now: Date) => (heldUntil(session, now) ? "on_hold" : null),
  fresh: (session: Session, now: Date) => (isFresh(session, now) ? null : "reauth_required"),
} as const satisfies Record<string, (session: Session, now: Date) => ErrorCode | null>;

export type Need = keyof typeof NEEDS;

/** What removing a passkey, changing the address, deleting the account or switching passkey-only needs. */
export const RISKY_CHANGE: Need[] = ["notHeld", "fresh"];

/** The first of `needs` that `session` doesn't meet (null: all met). Pages ask it what to offer. */
export function unmetNeed(session: Session, needs: readonly Need[], now = new Date()): ErrorCode | null {
  for (const need of Object.keys(NEEDS) as Need[]) {
    const failure = needs.includes(need) ? NEEDS[need](session, now) : null;
    if (failure) return failure;
  }
  return null;
}

/**
 * The one guard of every account page and action (the proxy's redirect is only a convenience):
 * signed in, and each of `needs` met; else the failure to show.
 */
export async function requireSession(...needs: Need[]): Promise<Result<{ current: CurrentSession }>> {
  const current = await getCurrentSession();
  if (!current) return fail("not_signed_in");
  const unmet = unmetNeed(current.session, needs);
  return unmet ? fail(unmet) : { ok: true, current };
}

/** "Confirm it's you" succeeded, with `passkeyId` when it was a passkey (it then vouches for the session: lib/hold.ts). */
export async function markReauthenticated(sessionId: string, passkeyId: string | null, now = new Date()): Promise<void> {
  const db = await getDb();
  await db
    .update(sessions)
    .set({ reauthenticatedAt: now, ...(passkeyId ? { confirmedWithPasskey: passkeyId } : {}) })
    .where(eq(sessions.id, sessionId));
}

/** The account's signed-in devices, most recently seen first. */
export async function listSessions(userId: string): Promise<Session[]> {
  const db = await getDb();
  return db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(desc(sessions.lastSeenAt));
}

/** Signs one device out (only one of this user's); returns it if it existed. */
export async function revokeSession(userId: string, sessionId: string): Promise<Session | null> {
  const db = await getDb();
  const [revoked] = await db.delete(sessions).where(and(eq(sessions.userId, userId), eq(sessions.id, sessionId))).returning();
  return revoked ?? null;
}

/** Every session of the user but `keepId`; returns how many. */
export async function revokeOtherSessions(userId: string, keepId: string): Promise<number> {
  const db = await getDb();
  return (await db.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.id, keepId))).returning({ id: sessions.id })).length;
}
