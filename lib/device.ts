import "server-only";
import { and, desc, eq, notInArray, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db/client";
import { deviceNotes } from "@/db/schema";
import { pointerCookie } from "./cookies";
import { randomToken, sha256Hex } from "./secrets";

/**
 * This browser's "device" cookie: a random id, made when something must be remembered about the
 * browser (its first sign-in), and kept 400 days (browsers' cap). What the server remembers of it,
 * per account, is a device note (device_notes) keyed by the id's SHA-256 only, so a database leak
 * yields no cookie: that the account has signed in here (a note exists; a new one is announced,
 * lib/sign-in-alerts.ts) and the passkey offer's answers (lib/passkey-offer.ts). Clearing cookies
 * makes a new device.
 */
const DEVICE_COOKIE_SECONDS = 400 * 24 * 60 * 60;
/** Accounts remembered per device, newest kept: a device can't grow the table without bound. */
export const MAX_ACCOUNTS = 5;

const deviceCookie = () => pointerCookie("device", DEVICE_COOKIE_SECONDS);

/** The hash of this browser's id; with `create`, a browser without one gets one (set once: a returning browser's request sends no header for it). */
export async function deviceHash(options: { create: true }): Promise<string>;
export async function deviceHash(options?: { create?: false }): Promise<string | null>;
export async function deviceHash(options: { create?: boolean } = {}): Promise<string | null> {
  const cookie = deviceCookie();
  const existing = await cookie.get();
  if (existing) return sha256Hex(existing);
  if (!options.create) return null;
  const id = randomToken();
  await cookie.set(id);
  return sha256Hex(id);
}

export type DeviceNoteChange = { never?: true; until?: Date; here?: string };

/**
 * Writes this device's note for `userId` (giving the browser a device cookie if it has none),
 * making it the newest and keeping only the newest MAX_ACCOUNTS accounts of the device. `isNew`:
 * the account had no note here: it hasn't been used in this browser before, or was forgotten
 * (pushed out by newer accounts, or reported with "This wasn't me").
 */
export async function writeDeviceNote(userId: string, change: DeviceNoteChange = {}): Promise<{ deviceHash: string; isNew: boolean }> {
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
  const isNew = written?.inserted ?? false;
  if (isNew && written!.before >= MAX_ACCOUNTS) {
    const newest = db.select({ userId: deviceNotes.userId }).from(deviceNotes).where(eq(deviceNotes.deviceHash, device)).orderBy(desc(deviceNotes.updatedAt)).limit(MAX_ACCOUNTS);
    await db.delete(deviceNotes).where(and(eq(deviceNotes.deviceHash, device), notInArray(deviceNotes.userId, newest)));
  }
  return { deviceHash: device, isNew };
}

/** This device's note for `userId`; nothing without a device cookie. */
export async function readDeviceNote(userId: string): Promise<typeof deviceNotes.$inferSelect | undefined> {
  const device = await deviceHash();
  if (!device) return undefined;
  const db = await getDb();
  const [row] = await db.select().from(deviceNotes).where(and(eq(deviceNotes.deviceHash, device), eq(deviceNotes.userId, userId)));
  return row;
}

/** Forgets a device for an account: its next sign-in there is announced as new. */
export async function forgetDevice(tx: Pick<Db, "delete">, userId: string, device: string): Promise<void> {
  await tx.delete(deviceNotes).where(and(eq(deviceNotes.userId, userId), eq(deviceNotes.deviceHash, device)));
}
