import "server-only";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { and, count, eq, inArray, ne } from "drizzle-orm";
import { z } from "zod";
import { getDb, isUniqueViolation, type Db } from "@/db/client";
import { passkeys, sessions, users, type Passkey, type User } from "@/db/schema";
import { recordActivity } from "./activity";
import { providerName } from "./aaguid";
import { notePasskeysRemoved } from "./hold";
import { getConfig } from "./env";
import { fail, type Result } from "./shared/errors";
import { summarizeUserAgent } from "./user-agent";
import type { VerifiedRegistration } from "./webauthn";

/** An account's passkeys: the records, their names, and what renaming or removing one does. */
export const MAX_PASSKEYS = 10;

export const passkeyNameSchema = z.string().trim().min(1, "Give the passkey a name.").max(64, "Use at most 64 characters.");

export async function listPasskeys(userId: string): Promise<Passkey[]> {
  const db = await getDb();
  return db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(passkeys.createdAt);
}

/** Whether any account has the passkey with this credential id. */
export async function passkeyExists(credentialId: string): Promise<boolean> {
  const db = await getDb();
  const [row] = await db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.id, credentialId)).limit(1);
  return row !== undefined;
}

/**
 * A name people recognise: the provider's (from the AAGUID), else what kind of authenticator it
 * is, else the browser and system it was made on ("Chrome on Linux").
 */
export function defaultPasskeyName(registration: Pick<VerifiedRegistration, "credential" | "transports" | "attachment">, userAgent: string | null): string {
  const provider = providerName(registration.credential.aaguid);
  if (provider) return provider;
  const { transports, attachment } = registration;
  if (attachment === "cross-platform" && transports.some((t) => t === "usb" || t === "nfc" || t === "ble")) return "Security key";
  if (attachment === "cross-platform" && transports.includes("hybrid")) return "Passkey on a phone";
  return summarizeUserAgent(userAgent);
}

/**
 * `name`, or, when the account already has a passkey called that, the same with the lowest free
 * counter ("Chrome on Linux 2"), so two passkeys made alike can still be told apart in the list.
 */
export function distinctPasskeyName(name: string, taken: readonly string[]): string {
  const used = new Set(taken.map((t) => t.trim().toLowerCase()));
  if (!used.has(name.toLowerCase())) return name;
  for (let n = 2; ; n++) if (!used.has(`${name} ${n}`.toLowerCase())) return `${name} ${n}`;
}

/**
 * Stores a verified new passkey for `userId`, named by defaultPasskeyName (made distinct), remembering the session
 * that added it and the passkey that session signed in with (so what a sign-in did can be undone).
 * Within the limit; a credential id already registered (to anyone) is refused.
 */
export async function savePasskey(
  userId: string,
  registration: VerifiedRegistration,
  context: { sessionId: string | null; withPasskeyId?: string | null; userAgent: string | null; usedNow?: boolean; heldUntil?: Date | null },
): Promise<Result<{ passkey: Passkey }>> {
  const { credential } = registration;
  const db = await getDb();
  try {
    const passkey = await db.transaction(async (tx) => {
      if ((await lockPasskeyCount(tx, userId)).passkeys >= MAX_PASSKEYS) return null;
      const taken = await tx.select({ name: passkeys.name }).from(passkeys).where(eq(passkeys.userId, userId));
      const [created] = await tx
        .insert(passkeys)
        .values({
          id: credential.credential.id,
          userId,
          publicKey: isoBase64URL.fromBuffer(credential.credential.publicKey),
          counter: credential.credential.counter,
          transports: registration.transports,
          deviceType: credential.credentialDeviceType,
          backedUp: credential.credentialBackedUp,
          aaguid: credential.aaguid,
          name: distinctPasskeyName(defaultPasskeyName(registration, context.userAgent), taken.map((p) => p.name)),
          createdInSession: context.sessionId,
          createdWithPasskey: context.withPasskeyId ?? null,
          heldUntil: context.heldUntil ?? null,
          // A passkey made to sign in (the end of sign-up) was used at once.
          lastUsedAt: context.usedNow ? new Date() : null,
        })
        .returning();
      if (!created) throw new Error("insert returned no row");
      await recordActivity(userId, "passkey_added", { name: created.name }, tx);
      return created;
    });
    return passkey ? { ok: true, passkey } : fail("passkey_limit");
  } catch (error) {
    if (isUniqueViolation(error)) return fail("passkey_exists");
    throw error;
  }
}

/** Takes back a passkey just saved whose step then failed: no session used it, so nothing else changes. */
export async function forgetUnusedPasskey(userId: string, passkeyId: string): Promise<void> {
  const db = await getDb();
  await db.delete(passkeys).where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, userId)));
}

/** Renames one of the user's passkeys; returns the old and new names, or null if not theirs. */
export async function renamePasskey(userId: string, passkeyId: string, name: string): Promise<{ from: string; to: string } | null> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [existing] = await tx.select({ name: passkeys.name }).from(passkeys).where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, userId)));
    if (!existing) return null;
    await tx.update(passkeys).set({ name }).where(eq(passkeys.id, passkeyId));
    await recordActivity(userId, "passkey_renamed", { from: existing.name, to: name }, tx);
    return { from: existing.name, to: name };
  });
}

/**
 * Passkey-only mode (passkey-only.ts) needs two passkeys and keeps two: with one, losing it would
 * leave no way in.
 */
export const PASSKEY_ONLY_MIN_PASSKEYS = 2;

/**
 * Locks the account's row for the rest of `tx`, so changes that must agree on how many passkeys it
 * has (adding one, removing one, turning passkey-only on) take turns, and returns what they check.
 */
export async function lockPasskeyCount(tx: Pick<Db, "select">, userId: string): Promise<{ passkeyOnly: boolean; passkeys: number }> {
  const [owner] = await tx.select({ passkeyOnly: users.emailSigninDisabled }).from(users).where(eq(users.id, userId)).for("update");
  const [counted] = await tx.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId));
  return { passkeyOnly: owner?.passkeyOnly ?? false, passkeys: counted?.n ?? 0 };
}

/**
 * The passkeys `sessionId` added, those added by sessions signed in with one of them, and so on:
 * what undoing that session's sign-in removes. It follows the passkeys' own records, so the chain
 * holds after the sessions in it have signed out.
 */
export async function passkeysAddedFrom(tx: Pick<Db, "select">, userId: string, sessionId: string): Promise<string[]> {
  const mine = and(eq(passkeys.userId, userId), eq(passkeys.createdInSession, sessionId));
  const found = new Set((await tx.select({ id: passkeys.id }).from(passkeys).where(mine)).map((p) => p.id));
  // One round per link of the chain; an account has at most MAX_PASSKEYS passkeys.
  for (let frontier = [...found]; frontier.length; ) {
    const next = await tx.select({ id: passkeys.id }).from(passkeys).where(and(eq(passkeys.userId, userId), inArray(passkeys.createdWithPasskey, frontier)));
    frontier = next.map((p) => p.id).filter((id) => !found.has(id));
    for (const id of frontier) found.add(id);
  }
  return [...found];
}

/**
 * Removes one of `userId`'s passkeys and signs out the devices that signed in with it (whoever
 * holds it may be why it is being removed), except `keepSessionId`, the device removing it. A
 * passkey-only account keeps its minimum, checked under the account's lock so two removals at once
 * can't both pass.
 */
export async function deletePasskey(
  userId: string,
  passkeyId: string,
  keepSessionId?: string,
): Promise<Result<{ passkey: Passkey; signedOut: number }>> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const account = await lockPasskeyCount(tx, userId);
    const [target] = await tx.select({ id: passkeys.id }).from(passkeys).where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, userId)));
    if (!target) return fail("passkey_not_found");
    if (account.passkeyOnly && account.passkeys <= PASSKEY_ONLY_MIN_PASSKEYS) return fail("passkey_only_minimum");
    // Sessions first: deleting the passkey sets their passkey_id to null.
    const ended = await tx
      .delete(sessions)
      .where(and(eq(sessions.userId, userId), eq(sessions.passkeyId, passkeyId), keepSessionId ? ne(sessions.id, keepSessionId) : undefined))
      .returning({ id: sessions.id });
    const [deleted] = await tx.delete(passkeys).where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, userId))).returning();
    await notePasskeysRemoved(tx, userId);
    await recordActivity(userId, "passkey_removed", { name: deleted!.name, ...(ended.length ? { signedOut: String(ended.length) } : {}) }, tx);
    return { ok: true as const, passkey: deleted!, signedOut: ended.length };
  });
}

/** What the browser's passkey manager should be told (WebAuthn Signal API) about this account now. */
export type Signals = {
  rpID: string;
  userID: string;
  allAcceptedCredentialIDs?: string[];
  userDetails?: { userName: string; userDisplayName: string };
};

export async function credentialSignals(user: User, options: { withDetails?: boolean } = {}): Promise<Signals> {
  return {
    rpID: getConfig().rpID,
    userID: user.webauthnUserId,
    allAcceptedCredentialIDs: (await listPasskeys(user.id)).map((p) => p.id),
    userDetails: options.withDetails ? { userName: user.username, userDisplayName: user.name || user.username } : undefined,
  };
}
