import "server-only";
import { z } from "zod";
import type { Passkey } from "@/db/schema";
import { signedCookie } from "./cookies";
import { fail, type Result } from "./shared/errors";
import { MAX_PASSKEYS } from "./passkeys";
import { sha256Hex } from "./secrets";
import { ABSOLUTE_TIMEOUT_MS, requireSession, type AuthMethod, type CurrentSession } from "./session";

/**
 * "Sign in faster next time: create a passkey on this device", offered once after a sign-in that
 * came from elsewhere: an emailed link or code, or a passkey on another device (a phone over
 * hybrid). After a security key, only a quiet link: people who carry a key often want no other.
 *
 * Everything here is about one browser, so it lives in two signed cookies of that browser and
 * nowhere else (clearing cookies forgets it, as it would a new device):
 * - "passkey-offer": why this sign-in may want an offer, bound to its session, so each sign-in
 *   asks at most once and an answer ends it;
 * - "passkey-device": per account (the newest few), "don't ask on this device", "not now" (until
 *   when), and a hash of a passkey this browser made or signed in with on its own authenticator.
 *   While that passkey is still on the account, this device has one, and nothing is offered.
 */
export const SNOOZE_MS = 14 * 24 * 60 * 60 * 1000;
/** Browsers cap cookie lifetimes at 400 days. */
const DEVICE_TTL_SECONDS = 400 * 24 * 60 * 60;
const MAX_ACCOUNTS = 5;

/** How a passkey was used or made: this device's own authenticator, another device (a phone), or a security key. */
export type PasskeyUse = "platform" | "other-device" | "security-key";
export type OfferReason = "email" | "other-device" | "security-key";
export type OfferAnswer = "later" | "never";

const REASONS = ["email", "other-device", "security-key"] as const satisfies OfferReason[];
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

const noteSchema = z.object({ never: z.literal(1).optional(), until: z.number().int().optional(), here: z.string().max(64).optional() });
const notesSchema = z.record(z.string().max(64), noteSchema);

export const passkeyFingerprint = (passkeyId: string) => sha256Hex(passkeyId).slice(0, 16);

/** Whether to offer, given this sign-in's reason, what the browser remembers, and the account's passkeys now. */
export function decideOffer(reason: OfferReason | null, note: DeviceNote | undefined, passkeyIds: readonly string[], now = Date.now()): OfferReason | null {
  if (!reason || passkeyIds.length >= MAX_PASSKEYS) return null;
  if (note?.never) return null;
  if (note?.until && note.until > now) return null;
  if (note?.here && passkeyIds.some((id) => passkeyFingerprint(id) === note.here)) return null;
  return reason;
}

const offerCookie = () => signedCookie("passkey-offer", ABSOLUTE_TIMEOUT_MS / 1000);
const deviceCookie = () => signedCookie("passkey-device", DEVICE_TTL_SECONDS, 1024);

async function readNotes(): Promise<Record<string, DeviceNote>> {
  const raw = await deviceCookie().get();
  if (!raw) return {};
  try {
    const parsed = notesSchema.safeParse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Updates one account's note, keeping it newest and only the newest MAX_ACCOUNTS accounts. */
async function updateNote(userId: string, change: (note: DeviceNote) => DeviceNote): Promise<void> {
  const notes = await readNotes();
  const note = change(notes[userId] ?? {});
  delete notes[userId];
  const kept = Object.entries(notes).slice(-(MAX_ACCOUNTS - 1));
  const value = Object.fromEntries([...kept, [userId, note]]);
  await deviceCookie().set(Buffer.from(JSON.stringify(value)).toString("base64url"));
}

/** Remembers that this browser holds (made, or signed in with on its own authenticator) this passkey. */
export async function rememberPasskeyHere(userId: string, passkeyId: string): Promise<void> {
  await updateNote(userId, (note) => ({ ...note, here: passkeyFingerprint(passkeyId) }));
}

/** Part of every sign-in (lib/sign-in.ts): whether this one may want an offer, and what it shows of this device. */
export async function noteSignIn(userId: string, sessionId: string, way: { method: AuthMethod; passkeyId?: string | null; use?: PasskeyUse }): Promise<void> {
  const reason = offerReason(way);
  if (reason) await offerCookie().set(`${sessionId}:${reason}`);
  // Only a browser with an earlier offer has one to clear: no clearing header on every sign-in.
  else if ((await offerCookie().get()) !== undefined) await offerCookie().clear();
  if (way.use === "platform" && way.passkeyId) await rememberPasskeyHere(userId, way.passkeyId);
}

/** The offer to show this signed-in browser now, if any (the account page's). */
export async function pendingPasskeyOffer(current: CurrentSession, passkeys: Pick<Passkey, "id" | "createdInSession">[]): Promise<OfferReason | null> {
  // Adding any passkey during this sign-in answers the offer.
  if (passkeys.some((p) => p.createdInSession === current.session.id)) return null;
  const [sessionId, reason] = ((await offerCookie().get()) ?? "").split(":");
  if (sessionId !== current.session.id) return null;
  const known = REASONS.find((r) => r === reason) ?? null;
  return decideOffer(
    known,
    (await readNotes())[current.user.id],
    passkeys.map((p) => p.id),
  );
}

/** "Not now" (ask again after SNOOZE_MS at most) or "Don't ask on this device" (for this account). */
export async function answerPasskeyOffer(answer: OfferAnswer, now = Date.now()): Promise<Result> {
  const guard = await requireSession();
  if (!guard.ok) return fail(guard.error);
  await updateNote(guard.current.user.id, (note) => (answer === "never" ? { ...note, never: 1 } : { ...note, until: now + SNOOZE_MS }));
  await offerCookie().clear();
  return { ok: true };
}
