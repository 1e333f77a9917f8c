import "server-only";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { getConfig } from "./env";
import { kv } from "./kv";
import { hmac } from "./secrets";
import type { Result } from "./shared/errors";

/**
 * Stateless WebAuthn challenges for passkey sign-in and "confirm it's you": random bytes, an
 * expiry, what it is for and (when a person is expected) a tag for that person, under an HMAC
 * with the app's secret. Issuing writes nothing, so a page can render its options on every view
 * (a crawler costs no storage); verifying spends the challenge with one atomic set-if-absent.
 *
 * Layout (70 bytes, 94 base64url characters):
 *   version (1) | nonce (16) | expires at, Unix seconds (4) | purpose (1) | user tag (16) | HMAC-SHA256 (32)
 * The user tag is HMAC(nonce, user id), cut to 16 bytes, or zeros for "anyone" (a discoverable
 * sign-in). Keyed by the nonce, it says nothing about who it names, not even whether two
 * challenges name the same person, nor whether a typed name has an account ("none" gets one too).
 */

export type ChallengePurpose = "sign-in" | "confirm";
/** Why a challenge was refused; each maps to what the person sees in webauthn.ts. */
export type ChallengeRefusal = "malformed" | "forged" | "expired" | "wrong_purpose" | "spent";

const VERSION = 1;
const NONCE_BYTES = 16;
const TAG_BYTES = 16;
const MAC_BYTES = 32;
const BODY_BYTES = 1 + NONCE_BYTES + 4 + 1 + TAG_BYTES;
const PURPOSES: Record<ChallengePurpose, number> = { "sign-in": 1, confirm: 2 };
const ANYONE = Buffer.alloc(TAG_BYTES);

const mac = (body: Buffer) => hmac(getConfig().sessionSecret, `webauthn-challenge:${body.toString("base64url")}`);
const userTag = (nonce: Buffer, userId: string) => hmac(getConfig().sessionSecret, `webauthn-challenge-user:${nonce.toString("base64url")}:${userId}`).subarray(0, TAG_BYTES);
const spentKey = (nonce: Buffer) => `webauthn-spent:${nonce.toString("base64url")}`;

/**
 * A challenge for `purpose`, valid for `ttlSeconds`. `expectedUserId`: the only person whose
 * passkey may answer it ("none" for a typed name without an account: nobody's will), or null for anyone.
 */
export function issueChallenge(purpose: ChallengePurpose, expectedUserId: string | null, ttlSeconds: number, now = Date.now()): Uint8Array<ArrayBuffer> {
  const body = Buffer.alloc(BODY_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  body.writeUInt8(VERSION, 0);
  nonce.copy(body, 1);
  body.writeUInt32BE(Math.floor(now / 1000) + ttlSeconds, 1 + NONCE_BYTES);
  body.writeUInt8(PURPOSES[purpose], 1 + NONCE_BYTES + 4);
  (expectedUserId === null ? ANYONE : userTag(nonce, expectedUserId)).copy(body, 1 + NONCE_BYTES + 4 + 1);
  return Uint8Array.from(Buffer.concat([body, mac(body)]));
}

/** A challenge that checked out and is now spent: who may answer it. */
export type SpentChallenge = { anyone: boolean; isFor: (userId: string) => boolean };

/**
 * Checks a challenge as the browser signed it (base64url, from clientDataJSON) and spends it.
 * Order: shape, HMAC, expiry, purpose, then the one atomic set-if-absent that makes it single-use,
 * so only a challenge this server issued for this purpose, still valid, costs a write.
 */
export async function spendChallenge(challenge: string, purpose: ChallengePurpose, now = Date.now()): Promise<Result<{ spent: SpentChallenge }, { refusal: ChallengeRefusal }>> {
  // The person sees one thing for all of them, as for a stored challenge that isn't there: try again.
  const refuse = (refusal: ChallengeRefusal) => ({ ok: false as const, error: "challenge_expired" as const, refusal });
  const raw = /^[A-Za-z0-9_-]{94}$/.test(challenge) ? Buffer.from(challenge, "base64url") : null;
  if (!raw || raw.length !== BODY_BYTES + MAC_BYTES || raw[0] !== VERSION) return refuse("malformed");
  const body = raw.subarray(0, BODY_BYTES);
  if (!timingSafeEqual(raw.subarray(BODY_BYTES), mac(body))) return refuse("forged");
  const expiresAt = body.readUInt32BE(1 + NONCE_BYTES);
  const nowSeconds = Math.floor(now / 1000);
  if (nowSeconds >= expiresAt) return refuse("expired");
  if (body[1 + NONCE_BYTES + 4] !== PURPOSES[purpose]) return refuse("wrong_purpose");
  const nonce = body.subarray(1, 1 + NONCE_BYTES);
  // Kept until it would have expired anyway: after that the expiry refuses it.
  if (!(await kv().setIfAbsent(spentKey(nonce), "1", Math.max(1, expiresAt - nowSeconds)))) return refuse("spent");
  const tag = body.subarray(1 + NONCE_BYTES + 4 + 1, BODY_BYTES);
  const anyone = tag.equals(ANYONE);
  return { ok: true, spent: { anyone, isFor: (userId) => anyone || timingSafeEqual(tag, userTag(nonce, userId)) } };
}
