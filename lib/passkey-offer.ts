import "server-only";
import { and, desc, eq, notInArray, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { deviceNotes, sessions, type Passkey } from "@/db/schema";
import { dropRetiredCookies } from "./cookies";
import { deviceHash } from "./device";
import { fail, type Result } from "./shared/errors";
import { MAX_PASSKEYS } from "./passkeys";
import { sha256Hex } from "./secrets";
import { requireSession, type AuthMethod, type CurrentSession } from "./session";

/**
 * "Sign in faster next time: create a passkey on this device", offered once after a sign-in that
 * came from elsewhere: an emailed link or code, or a passkey on another device (a phone over
 * hybrid). After a security key, only a quiet link: people who carry a key often want no other.
 *
 * Everything here is about one browser, kept on the server so the browser sends nothing extra
 * with every request:
 * - why this sign-in may want an offer: on its session row (sessions.passkey_offer), so each
 *   sign-in asks at most once and an answer ends it;
 * - per account (the newest few), "don't ask on this device", "not now" (until when), and a hash
 *   of a passkey this browser made or signed in with on its own authenticator: device_notes,
 *   keyed by the hash of the browser's "device" cookie (lib/device.ts). Clearing cookies makes a
 *   new device id, so it forgets them, as it would a new device. While that passkey is still on
 *   the account, this device has one, and nothing is offered.
 */
export const SNOOZE_MS = 14 * 24 * 60 * 60 * 1000;
/** Accounts remembered per device, newest kept: a device can't grow the table without bound. */
export const MAX_ACCOUNTS = 5;
/** The cookies that held all this before (a browser still sending one is told to drop it). */
const RETIRED_COOKIES = ["passkey-offer", "passkey-device"];

/** How a passkey was used or made: this device's own authenticator, another device (a phone), or a security key. */
export type PasskeyUse = "platform" | "other-device" | "security-key";
export type OfferReason = "email" | "other-device" | "security-key";
export type OfferAnswer = "later" | "never";

const ROAMING_KEY_TRANSPORTS = ["usb", "nfc", "ble"];

/**
 * From the response's authenticatorAttachment and the passkey's stored transports; undefined
 * when the browser didn't say (then nothing is assumed either way).
 */
export function passkeyUse(attachment: "platform" | "cross-platform" | undefined, transports: readonly string[]): PasskeyUse | undefined {
  if (attachment === "platform") return "platform";
  if (attachment !== "cross-platform") return undefined;
  return transports.some((t) => ROAMING_KEY_TRANSPORTS.includes(t)) ? "security-key" : "other-device";
}

export function offerReason(way: { method: AuthMethod; use?: PasskeyUse }): OfferReason | null {
  if (way.method === "email") return "email";
  return way.use === "other-device" || way.use === "security-key" ? way.use : null;
}

/** What this browser remembers for one account. */
export type DeviceNote = { never?: 1; until?: number; here?: string };

export const passkeyFingerprint = (passkeyId: string) => sha256Hex(passkeyId).slice(0, 16);

/** Whether to offer, given this sign-in's reason, what the browser remembers, and the account's passkeys now. */
export function decideOffer(reason: OfferReason | null, note: DeviceNote | undefined, passkeyIds: readonly string[], now = Date.now()): OfferReason | null {
  if (!reason || passkeyIds.length >= MAX_PASSKEYS) return null;
  if (note?.never) return null;
  if (note?.until && note.until > now) return null;
  if (note?.here && passkeyIds.some((id) => passkeyFingerprint(id) === note.here)) return null;
  return reason;
}

/** What this device remembers for `userId`; nothing without a device cookie. */
async function readNote(userId: string): Promise<DeviceNote | undefined> {
  const device = await deviceHash();
  if (!device) return undefined;
  const db = await getDb();
  const [row] = await db.select().from(deviceNotes).where(and(eq(deviceNotes.deviceHash, device), eq(deviceNotes.userId, userId)));
  if (!row) return undefined;
  return { ...(row.never ? { never: 1 } : {}), ...(row.until ? { until: row.until.getTime() } : {}), ...(row.here ? { here: row.here } : {}) };
}

/**
 * Updates one account's note on this device (giving the browser a device cookie if it has none),
 * making it the newest and keeping only the newest MAX_ACCOUNTS accounts of the device.
 */
async function updateNote(userId: string, change: { never?: true; until?: Date; here?: string }): Promise<void> {
  const device = await deviceHash({ create: true });
  const db = await getDb();
  // clock_timestamp(), not now(): notes written in one transaction still order.
  const updatedAt = sql`clock_timestamp()`;
  const [written] = await db
    .insert(deviceNotes)
    .values({ deviceHash: device, userId, ...change, updatedAt })
    .onConflictDoUpdate({ target: [deviceNotes.deviceHash, deviceNotes.userId], set: { ...change, updatedAt } })
    // xmax is 0 for a row this statement inserted: only a new account can push the device over its
    // cap. The count sees the table as it was before this statement, so without the new row.
    .returning({ inserted: sql<boolean>`xmax = 0`, before: sql<number>`(select count(*)::int from ${deviceNotes} where ${deviceNotes.deviceHash} = ${device})` });
  if (!written?.inserted || written.before < MAX_ACCOUNTS) return;
  const newest = db.select({ userId: deviceNotes.userId }).from(deviceNotes).where(eq(deviceNotes.deviceHash, device)).orderBy(desc(deviceNotes.updatedAt)).limit(MAX_ACCOUNTS);
  await db.delete(deviceNotes).where(and(eq(deviceNotes.deviceHash, device), notInArray(deviceNotes.userId, newest)));
}

/** Remembers that this browser holds (made, or signed in with on its own authenticator) this passkey. */
export async function rememberPasskeyHere(userId: string, passkeyId: string): Promise<void> {
  await updateNote(userId, { here: passkeyFingerprint(passkeyId) });
}

/**
 * Part of every sign-in (lib/sign-in.ts), after its session (started with offerReason's answer):
 * what it shows of this device.
 */
export async function noteSignIn(userId: string, way: { passkeyId?: string | null; use?: PasskeyUse }): Promise<void> {
  await dropRetiredCookies(RETIRED_COOKIES);
  if (way.use === "platform" && way.passkeyId) await rememberPasskeyHere(userId, way.passkeyId);
}

/** The offer to show this signed-in browser now, if any (the account page's). */
export async function pendingPasskeyOffer(current: CurrentSession, passkeys: Pick<Passkey, "id" | "createdInSession">[]): Promise<OfferReason | null> {
  // Adding any passkey during this sign-in answers the offer.
  if (passkeys.some((p) => p.createdInSession === current.session.id)) return null;
  const reason = current.session.passkeyOffer;
  if (!reason) return null;
  return decideOffer(
    reason,
    await readNote(current.user.id),
    passkeys.map((p) => p.id),
  );
}

/** "Not now" (ask again after SNOOZE_MS at most) or "Don't ask on this device" (for this account). */
export async function answerPasskeyOffer(answer: OfferAnswer, now = Date.now()): Promise<Result> {
  const guard = await requireSession();
  if (!guard.ok) return fail(guard.error);
  await updateNote(guard.current.user.id, answer === "never" ? { never: true } : { until: new Date(now + SNOOZE_MS) });
  const db = await getDb();
  await db.update(sessions).set({ passkeyOffer: null }).where(eq(sessions.id, guard.current.session.id));
  return { ok: true };
}
