import "server-only";
import { and, count, eq, gt, isNull, lt, lte, or } from "drizzle-orm";
import { getDb, type Db } from "@/db/client";
import { passkeys, sessions, users, type Passkey, type Session } from "@/db/schema";
import { recordActivity } from "./activity";

/**
 * The hold after an email-only sign-in. Whoever reads someone's mail can sign in as them by email;
 * on an account that has passkeys, such a session can't remove passkeys, change the email address,
 * delete the account or switch passkey-only mode for 24 hours, unless it confirms with a passkey
 * the account had before that session began. What a held session adds is held with it: a passkey
 * it registers, and sessions signed in with that passkey, until the same moment, so signing in
 * again with a fresh passkey is no way around the hold.
 */
export const HOLD_MS = 24 * 60 * 60 * 1000;
/**
 * How long an account that lost its passkeys still holds email sign-ins: removing the owner's
 * passkey (by whatever way a mailbox reader finds) must not turn the next email sign-in into a
 * free one.
 */
export const REMOVED_PASSKEY_MEMORY_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * When a new session's hold ends (null: none), from how it signed in: by email on an account
 * with passkeys, or that had one in the last 7 days; or with a passkey that is itself held
 * (`passkeyHeldUntil`, read when it verified).
 */
export async function holdForNewSession(userId: string, way: { method: Session["method"]; passkeyHeldUntil?: Date | null }, now = new Date()): Promise<Date | null> {
  if (way.method === "passkey") return way.passkeyHeldUntil && way.passkeyHeldUntil > now ? way.passkeyHeldUntil : null;
  const db = await getDb();
  const [[{ n } = { n: 0 }], [account]] = await Promise.all([
    db.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId)),
    db.select({ removedAt: users.passkeyRemovedAt }).from(users).where(eq(users.id, userId)),
  ]);
  const hadOneLately = account?.removedAt != null && now.getTime() - account.removedAt.getTime() < REMOVED_PASSKEY_MEMORY_MS;
  return n > 0 || hadOneLately ? new Date(now.getTime() + HOLD_MS) : null;
}

/** Every removal of passkeys calls this in its transaction: email sign-ins stay held a while (holdForNewSession). */
export async function notePasskeysRemoved(tx: Pick<Db, "update">, userId: string, now = new Date()): Promise<void> {
  await tx.update(users).set({ passkeyRemovedAt: now }).where(eq(users.id, userId));
}

/**
 * The account's passkeys that can vouch for a session: it had them before `before`, and they
 * aren't held. `excluding`: passkeys that don't count (those about to be removed).
 */
export async function passkeysThatVouch(tx: Pick<Db, "select">, userId: string, before: Date, options: { excluding?: string[]; now?: Date } = {}): Promise<Set<string>> {
  const now = options.now ?? new Date();
  const rows = await tx
    .select({ id: passkeys.id })
    .from(passkeys)
    .where(and(eq(passkeys.userId, userId), lt(passkeys.createdAt, before), or(isNull(passkeys.heldUntil), lte(passkeys.heldUntil, now))));
  return new Set(rows.map((p) => p.id).filter((id) => !options.excluding?.includes(id)));
}

/** Which of `vouching` vouches for `session` (the passkey it signed in with or last confirmed with), unless the session is held. */
export function vouchedBy(session: Pick<Session, "method" | "passkeyId" | "confirmedWithPasskey" | "heldUntil">, vouching: Set<string>, now = new Date()): string | null {
  if (heldUntil(session, now)) return null;
  const candidates = [session.method === "passkey" ? session.passkeyId : null, session.confirmedWithPasskey];
  return candidates.find((id): id is string => id !== null && vouching.has(id)) ?? null;
}

/**
 * The passkey that vouches for a session: the one it signed in with or last confirmed with, if
 * the account had it before `before` and neither it nor the session is held. Only such a session
 * may take a mailed safety link's stronger steps (remove passkeys through a report, cancel an
 * email change's undo), so a mailbox alone never can.
 */
export async function vouchingPasskey(
  tx: Pick<Db, "select">,
  session: Pick<Session, "userId" | "method" | "passkeyId" | "confirmedWithPasskey" | "heldUntil">,
  before: Date,
  options: { excluding?: string[]; now?: Date } = {},
): Promise<string | null> {
  return vouchedBy(session, await passkeysThatVouch(tx, session.userId, before, options), options.now);
}

/** The moment a session's hold ends, if it is still on. */
export function heldUntil(session: Pick<Session, "heldUntil">, now = new Date()): Date | null {
  return session.heldUntil && session.heldUntil > now ? session.heldUntil : null;
}

/** A passkey that can lift a session's hold: the account had it before the session began, and it isn't held itself. */
function canLiftHold(session: Pick<Session, "createdAt">, passkey: Pick<Passkey, "createdAt" | "heldUntil">, now = new Date()): boolean {
  return passkey.createdAt < session.createdAt && !(passkey.heldUntil && passkey.heldUntil > now);
}

/**
 * "Confirm it's you" with `passkey` on a held session: if the passkey qualifies, the hold ends,
 * for the session and for the passkeys it added. Returns whether it did.
 */
export async function liftHold(session: Session, passkey: Passkey, now = new Date()): Promise<boolean> {
  if (!heldUntil(session, now) || !canLiftHold(session, passkey, now)) return false;
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.update(sessions).set({ heldUntil: null }).where(eq(sessions.id, session.id));
    await tx.update(passkeys).set({ heldUntil: null }).where(and(eq(passkeys.createdInSession, session.id), gt(passkeys.heldUntil, now)));
    await recordActivity(session.userId, "hold_lifted", { passkey: passkey.name, device: session.userAgent }, tx);
  });
  return true;
}
