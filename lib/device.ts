import "server-only";
import { pointerCookie } from "./cookies";
import { randomToken, sha256Hex } from "./secrets";

/**
 * This browser's "device" cookie: a random id, made when something must be remembered about the
 * browser (its first sign-in), and kept 400 days (browsers' cap). Server-side state is keyed by
 * its SHA-256 only (known_devices, device_notes), so a database leak yields no cookie. Clearing
 * cookies makes a new device.
 */
const DEVICE_COOKIE_SECONDS = 400 * 24 * 60 * 60;

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
