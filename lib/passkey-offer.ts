import "server-only";
import { eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { sessions, type Passkey } from "@/db/schema";
import { dropRetiredCookies } from "./cookies";
import { readDeviceNote, writeDeviceNote } from "./device";
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

/** What this device remembers for `userId`. */
async function readNote(userId: string): Promise<DeviceNote | undefined> {
  const row = await readDeviceNote(userId);
  if (!row) return undefined;
  return { ...(row.never ? { never: 1 } : {}), ...(row.until ? { until: row.until.getTime() } : {}), ...(row.here ? { here: row.here } : {}) };
}

/** Remembers that this browser holds (made, or signed in with on its own authenticator) this passkey. */
export async function rememberPasskeyHere(userId: string, passkeyId: string): Promise<void> {
  await writeDeviceNote(userId, { here: passkeyFingerprint(passkeyId) });
}

/**
 * Part of every sign-in (lib/sign-in.ts), after its session (started with offerReason's answer):
 * this device's note for the account, with the passkey it signed in with if this device holds it
 * (one statement). `isNew`: the account hadn't been used in this browser (the sign-in is announced).
 */
export async function noteSignIn(userId: string, way: { passkeyId?: string | null; use?: PasskeyUse }): Promise<{ deviceHash: string; isNew: boolean }> {
  await dropRetiredCookies(RETIRED_COOKIES);
  return writeDeviceNote(userId, way.use === "platform" && way.passkeyId ? { here: passkeyFingerprint(way.passkeyId) } : {});
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
  await writeDeviceNote(guard.current.user.id, answer === "never" ? { never: true } : { until: new Date(now + SNOOZE_MS) });
  const db = await getDb();
  await db.update(sessions).set({ passkeyOffer: null }).where(eq(sessions.id, guard.current.session.id));
  return { ok: true };
}
