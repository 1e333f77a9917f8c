import "server-only";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  type VerifiedRegistrationResponse,
} from "@simplewebauthn/server";
import { decodeClientDataJSON, isoBase64URL } from "@simplewebauthn/server/helpers";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db/client";
import { passkeys, users, type Passkey, type User } from "@/db/schema";
import { recordActivity } from "./activity";
import { decoyCredentials } from "./decoys";
import { getConfig } from "./env";
import { fail, type Result } from "./shared/errors";
import { spendChallenge, issueChallenge } from "./challenge";
import { kv } from "./kv";
import { isEmailIdentifier } from "./users";

/**
 * The two WebAuthn ceremonies around SimpleWebAuthn. Registration options are issued with their
 * challenge stored under the challenge itself; sign-in and confirm options carry a stateless
 * signed challenge (challenge.ts), so issuing them writes nothing. Nothing is in a cookie: two
 * ceremonies in one browser never share state. Verification finds the challenge in the
 * response's clientDataJSON and spends it atomically, on success and failure alike.
 */

/** How long a ceremony may take; the challenge lives exactly as long. */
export const CEREMONY_TIMEOUT_SECONDS = 300;
/** Ed25519, ES256, RS256, in order of preference. */
const ALGORITHMS = [-8, -7, -257];
/** WebAuthn caps credential ids at 1023 bytes. */
const MAX_CREDENTIAL_ID_BYTES = 1023;

const TRANSPORTS = ["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"] as const;

const b64url = z.string().max(65_536).regex(/^[A-Za-z0-9_-]*$/, "must be base64url");
const credentialId = b64url.min(1).refine((v) => Math.floor((v.length * 3) / 4) <= MAX_CREDENTIAL_ID_BYTES, "credential id too long");
const transports = z
  .array(z.string().max(32))
  .max(10)
  .optional()
  .transform((list) => (list ?? []).filter((t) => (TRANSPORTS as readonly string[]).includes(t)));
const clientExtensionResults = z.record(z.string(), z.unknown()).default({});
const attachment = z.enum(["platform", "cross-platform"]).optional();

/** The browser's registration response, as startRegistration() returns it. Nothing else passes. */
const registrationResponseSchema = z
  .object({
    id: credentialId,
    rawId: credentialId,
    type: z.literal("public-key"),
    response: z.object({
      clientDataJSON: b64url.min(1),
      attestationObject: b64url.min(1),
      authenticatorData: b64url.optional(),
      transports,
      publicKeyAlgorithm: z.number().int().optional(),
      publicKey: b64url.optional(),
    }),
    authenticatorAttachment: attachment,
    clientExtensionResults,
  })
  .refine((r) => r.id === r.rawId, "id and rawId differ");

/** The browser's authentication response, as startAuthentication() returns it. */
const authenticationResponseSchema = z
  .object({
    id: credentialId,
    rawId: credentialId,
    type: z.literal("public-key"),
    response: z.object({
      clientDataJSON: b64url.min(1),
      authenticatorData: b64url.min(1),
      signature: b64url.min(1),
      userHandle: b64url.optional(),
    }),
    authenticatorAttachment: attachment,
    clientExtensionResults,
  })
  .refine((r) => r.id === r.rawId, "id and rawId differ");

/** What a stored registration challenge is for: a passkey for `userId`. (Sign-in and confirm challenges are stateless: challenge.ts.) */
type Challenge = { purpose: "register"; userId: string };

const challengeKey = (challenge: string) => `webauthn:${challenge}`;

async function storeChallenge(challenge: string, stored: Challenge): Promise<void> {
  await kv().set(challengeKey(challenge), JSON.stringify(stored), CEREMONY_TIMEOUT_SECONDS);
}

/** Takes the challenge the response signed, if this server issued it for `purpose` and it is unspent. */
async function takeChallenge(clientDataJSON: string, purpose: Challenge["purpose"]): Promise<{ challenge: string; stored: Challenge } | null> {
  let challenge: string;
  try {
    challenge = decodeClientDataJSON(clientDataJSON).challenge;
  } catch {
    return null;
  }
  if (typeof challenge !== "string" || !/^[A-Za-z0-9_-]{16,128}$/.test(challenge)) return null;
  const raw = await kv().take(challengeKey(challenge));
  if (!raw) return null;
  const stored = JSON.parse(raw) as Challenge;
  return stored.purpose === purpose ? { challenge, stored } : null;
}

/** What kind of authenticator the person asked for (registration hints). */
export type AuthenticatorChoice = "localDevice" | "remoteDevice" | "securityKey";

/** Registration options for a new passkey of `user`'s, none of `existing` again. */
export async function registrationOptions(
  user: User,
  existing: Pick<Passkey, "id" | "transports">[],
  choice?: AuthenticatorChoice,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const config = getConfig();
  const options = await generateRegistrationOptions({
    rpName: config.rpName,
    rpID: config.rpID,
    userName: user.username,
    userID: isoBase64URL.toBuffer(user.webauthnUserId),
    userDisplayName: user.name || user.username,
    timeout: CEREMONY_TIMEOUT_SECONDS * 1000,
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
    // No attachment unless asked: a phone over QR (hybrid) is as welcome as this device.
    authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
    supportedAlgorithmIDs: ALGORITHMS,
    preferredAuthenticatorType: choice,
  });
  await storeChallenge(options.challenge, { purpose: "register", userId: user.id });
  return options;
}

export type VerifiedRegistration = {
  credential: VerifiedRegistrationResponse["registrationInfo"] & {};
  transports: string[];
  attachment: "platform" | "cross-platform" | undefined;
};

/** Verifies a registration response made for `userId`. Stores nothing: see passkeys.ts. */
export async function verifyRegistration(userId: string, input: unknown): Promise<Result<{ registration: VerifiedRegistration }>> {
  const parsed = registrationResponseSchema.safeParse(input);
  if (!parsed.success) return fail("passkey_failed");
  const taken = await takeChallenge(parsed.data.response.clientDataJSON, "register");
  if (!taken) return fail("challenge_expired");
  if (taken.stored.userId !== userId) return fail("passkey_failed");

  const config = getConfig();
  try {
    const result = await verifyRegistrationResponse({
      response: parsed.data as RegistrationResponseJSON,
      expectedChallenge: taken.challenge,
      expectedOrigin: config.expectedOrigins,
      expectedRPID: config.rpID,
      requireUserVerification: true,
      supportedAlgorithmIDs: ALGORITHMS,
    });
    if (!result.verified) return fail("passkey_failed");
    return { ok: true, registration: { credential: result.registrationInfo, transports: parsed.data.response.transports, attachment: parsed.data.authenticatorAttachment } };
  } catch {
    return fail("passkey_failed");
  }
}

/**
 * Authentication options. For a sign-in without `forUser`, a discoverable request
 * (allowCredentials empty, which also lets the browser offer a phone by QR code). With it
 * (username-first), the person's passkeys, or decoys when the name matches no account or no
 * passkey; but for an email, no list at all, known or not: taken usernames are public, so any
 * list that an email shared with its username would say whose email it is. Every passkey is
 * discoverable (registration requires a resident key), so the browser still offers this site's
 * passkeys, and the challenge still expects the person the email names (or "none").
 * "confirm" asks a signed-in person for one of their own passkeys.
 */
export async function authenticationOptions(
  request: { purpose: "sign-in"; forUser?: { identifier: string; user: User | null } } | { purpose: "confirm"; user: User },
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  let allowCredentials: { id: string; transports?: string[] }[] = [];
  let expectedUserId: string | null = null;
  const forUser = request.purpose === "confirm" ? { identifier: request.user.username, user: request.user } : request.forUser;
  if (forUser) {
    if (!isEmailIdentifier(forUser.identifier)) {
      const own = forUser.user ? await ownPasskeys(forUser.user.id) : [];
      allowCredentials = own.length ? own : await decoyCredentials(forUser.identifier);
    }
    expectedUserId = forUser.user?.id ?? "none";
  }
  // Stateless (challenge.ts): issuing writes nothing, so a page may render these on every view.
  return generateAuthenticationOptions({
    rpID: getConfig().rpID,
    allowCredentials,
    userVerification: "required",
    timeout: CEREMONY_TIMEOUT_SECONDS * 1000,
    challenge: issueChallenge(request.purpose, expectedUserId, CEREMONY_TIMEOUT_SECONDS),
  });
}

async function ownPasskeys(userId: string): Promise<{ id: string; transports: string[] }[]> {
  const db = await getDb();
  return db.select({ id: passkeys.id, transports: passkeys.transports }).from(passkeys).where(eq(passkeys.userId, userId)).orderBy(passkeys.createdAt);
}

/** A verified assertion; a failure may name the credential this server doesn't know (for the Signal API). */
export type Authentication = Result<{ user: User; passkey: Passkey; attachment: "platform" | "cross-platform" | undefined }, { unknownCredentialId?: string }>;

/**
 * Verifies an authentication response for `purpose` ("confirm" only by `userId`). One query loads
 * the credential with its user; a verified use updates its counter and last use.
 */
export async function verifyAuthentication(input: unknown, expected: { purpose: "sign-in" } | { purpose: "confirm"; userId: string }): Promise<Authentication> {
  const parsed = authenticationResponseSchema.safeParse(input);
  if (!parsed.success) return fail("signin_failed");
  const response = parsed.data;
  let challenge: string;
  try {
    challenge = decodeClientDataJSON(response.response.clientDataJSON).challenge;
  } catch {
    return fail("challenge_expired");
  }
  const taken = await spendChallenge(typeof challenge === "string" ? challenge : "", expected.purpose);
  if (!taken.ok) return fail(taken.error);
  const { spent } = taken;
  if (expected.purpose === "confirm" && (spent.anyone || !spent.isFor(expected.userId))) return fail("signin_failed");

  const db = await getDb();
  const [row] = await db.select({ passkey: passkeys, user: users }).from(passkeys).innerJoin(users, eq(users.id, passkeys.userId)).where(eq(passkeys.id, response.id));
  if (!row) {
    // Username-first options list the person's passkeys, or decoys for an unknown name: telling
    // "unknown" apart from "wrong" there would tell decoys from real accounts. A discoverable
    // request reveals no account, so there an unknown id is reported, for the Signal API.
    return spent.anyone ? { ok: false, error: "unknown_passkey", unknownCredentialId: response.id } : fail("signin_failed");
  }
  const { passkey, user } = row;
  // The handle the authenticator returns must be this credential's owner's; with a person in mind
  // (username-first, confirm) the owner must also be that person.
  if (response.response.userHandle !== undefined ? response.response.userHandle !== user.webauthnUserId : spent.anyone) {
    return fail("signin_failed");
  }
  if (!spent.isFor(user.id)) return fail("signin_failed");

  const config = getConfig();
  let info;
  try {
    // The stored counter is checked below, once the signature has verified: only a response the
    // passkey really signed may write a warning into its owner's activity.
    const result = await verifyAuthenticationResponse({
      response: response as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: config.expectedOrigins,
      expectedRPID: config.rpID,
      requireUserVerification: true,
      credential: { id: passkey.id, publicKey: isoBase64URL.toBuffer(passkey.publicKey), counter: 0, transports: passkey.transports },
    });
    if (!result.verified) return fail("signin_failed");
    info = result.authenticationInfo;
  } catch {
    return fail("signin_failed");
  }

  const anomaly = signedAnomaly(passkey, info.newCounter, info.credentialDeviceType);
  if (anomaly) {
    await recordActivity(passkey.userId, anomaly.type, anomaly.detail);
    return fail("signin_failed");
  }

  const now = new Date();
  await db.update(passkeys).set({ counter: info.newCounter, backedUp: info.credentialBackedUp, lastUsedAt: now }).where(eq(passkeys.id, passkey.id));
  return {
    ok: true,
    user,
    passkey: { ...passkey, counter: info.newCounter, backedUp: info.credentialBackedUp, lastUsedAt: now },
    attachment: response.authenticatorAttachment,
  };
}

/**
 * What a verified assertion may still be refused for. A counter that didn't increase (synced
 * passkeys that always report 0 pass) may mean a cloned authenticator. Backup eligibility is
 * fixed when a credential is made (WebAuthn L3 §6.1.3): a change either way means the response
 * didn't come from the authenticator that registered it.
 */
function signedAnomaly(
  passkey: Passkey,
  counter: number,
  deviceType: Passkey["deviceType"],
): { type: "counter_regression" | "backup_eligibility_changed"; detail: Record<string, string> } | null {
  if ((counter > 0 || passkey.counter > 0) && counter <= passkey.counter) {
    return { type: "counter_regression", detail: { passkey: passkey.name, stored: String(passkey.counter), received: String(counter) } };
  }
  if (deviceType !== passkey.deviceType) {
    return { type: "backup_eligibility_changed", detail: { passkey: passkey.name } };
  }
  return null;
}
