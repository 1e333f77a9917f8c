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
} from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { and, count, eq, ne } from "drizzle-orm";
import { z } from "zod";
import { getDb, isUniqueViolation } from "@/db/client";
import { passkeys, sessions, users, type Passkey, type User } from "@/db/schema";
import { recordActivity } from "./activity";
import { providerName } from "./aaguid";
import { getConfig } from "./env";
import { fail, type ErrorCode } from "./errors";
import { kv } from "./kv";
import { decoyCredentials } from "./decoys";
import { randomToken } from "./secrets";

/** How long a ceremony may take; the challenge lives exactly as long. */
export const CEREMONY_TIMEOUT_SECONDS = 300;
/** Ed25519, ES256, RS256, in order of preference. */
export const ALGORITHMS = [-8, -7, -257];
export const MAX_PASSKEYS = 10;
/** WebAuthn caps credential ids at 1023 bytes. */
const MAX_CREDENTIAL_ID_BYTES = 1023;

const TRANSPORTS = ["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"] as const;
type Transport = (typeof TRANSPORTS)[number];

const b64url = z.string().max(65_536).regex(/^[A-Za-z0-9_-]*$/, "must be base64url");
const credentialId = b64url.min(1).refine((v) => Math.floor((v.length * 3) / 4) <= MAX_CREDENTIAL_ID_BYTES, "credential id too long");
const transports = z
  .array(z.string().max(32))
  .max(10)
  .optional()
  .transform((list) => (list ?? []).filter((t): t is Transport => (TRANSPORTS as readonly string[]).includes(t)));
const clientExtensionResults = z.record(z.string(), z.unknown()).default({});

/** The browser's registration response, as startRegistration() returns it. Nothing else passes. */
export const registrationResponseSchema = z
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
    authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
    clientExtensionResults,
  })
  .refine((r) => r.id === r.rawId, "id and rawId differ");

/** The browser's authentication response, as startAuthentication() returns it. */
export const authenticationResponseSchema = z
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
    authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
    clientExtensionResults,
  })
  .refine((r) => r.id === r.rawId, "id and rawId differ");

type StoredRegistration = { challenge: string; userId: string };
type StoredAuthentication = { challenge: string; expectedUserId: string | null };

const regKey = (flowId: string) => `webauthn:reg:${flowId}`;
const authKey = (flowId: string) => `webauthn:auth:${flowId}`;

export async function listPasskeys(userId: string): Promise<Passkey[]> {
  const db = await getDb();
  return db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(passkeys.createdAt);
}

/**
 * Registration options for a user, with the challenge stored under a fresh flow id (the caller
 * keeps the flow id in this browser's cookie; the challenge itself never leaves the server).
 */
export async function beginRegistration(
  user: User,
): Promise<{ ok: true; flowId: string; options: PublicKeyCredentialCreationOptionsJSON } | { ok: false; error: ErrorCode }> {
  const config = getConfig();
  const existing = await listPasskeys(user.id);
  if (existing.length >= MAX_PASSKEYS) return fail("passkey_limit");
  const options = await generateRegistrationOptions({
    rpName: config.rpName,
    rpID: config.rpID,
    userName: user.username,
    userID: isoBase64URL.toBuffer(user.webauthnUserId),
    userDisplayName: user.name || user.username,
    timeout: CEREMONY_TIMEOUT_SECONDS * 1000,
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
    // No authenticatorAttachment: a phone over QR (hybrid) is as welcome as this device.
    authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
    supportedAlgorithmIDs: ALGORITHMS,
  });
  const flowId = randomToken();
  const stored: StoredRegistration = { challenge: options.challenge, userId: user.id };
  await kv().set(regKey(flowId), JSON.stringify(stored), CEREMONY_TIMEOUT_SECONDS);
  return { ok: true, flowId, options };
}

/**
 * Verifies a registration response for `userId` and stores the passkey. The challenge is taken
 * first, so it is spent whether or not verification succeeds.
 */
export async function finishRegistration(
  flowId: string | undefined,
  userId: string,
  input: unknown,
  context: { sessionId?: string } = {},
): Promise<{ ok: true; passkey: Passkey } | { ok: false; error: ErrorCode }> {
  const raw = flowId ? await kv().take(regKey(flowId)) : null;
  if (!raw) return fail("challenge_expired");
  const stored = JSON.parse(raw) as StoredRegistration;
  if (stored.userId !== userId) return fail("passkey_failed");
  const parsed = registrationResponseSchema.safeParse(input);
  if (!parsed.success) return fail("passkey_failed");

  const config = getConfig();
  let info;
  try {
    const result = await verifyRegistrationResponse({
      response: parsed.data as RegistrationResponseJSON,
      expectedChallenge: stored.challenge,
      expectedOrigin: config.expectedOrigins,
      expectedRPID: config.rpID,
      requireUserVerification: true,
      supportedAlgorithmIDs: ALGORITHMS,
    });
    if (!result.verified) return fail("passkey_failed");
    info = result.registrationInfo;
  } catch {
    return fail("passkey_failed");
  }

  const db = await getDb();
  try {
    const passkey = await db.transaction(async (tx) => {
      const [{ n } = { n: 0 }] = await tx.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId));
      if (n >= MAX_PASSKEYS) return null;
      const [created] = await tx
        .insert(passkeys)
        .values({
          id: info.credential.id,
          userId,
          publicKey: isoBase64URL.fromBuffer(info.credential.publicKey),
          counter: info.credential.counter,
          transports: parsed.data.response.transports,
          deviceType: info.credentialDeviceType,
          backedUp: info.credentialBackedUp,
          aaguid: info.aaguid,
          name: providerName(info.aaguid),
          createdInSession: context.sessionId ?? null,
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

/**
 * Authentication options. Without `forUser`, a discoverable request (allowCredentials empty,
 * which also lets the browser offer a phone by QR code). With it (username-first), the person's
 * passkeys, or decoys when the identifier matches no account or no passkey.
 */
export async function beginAuthentication(
  forUser?: { identifier: string; user: User | null },
): Promise<{ flowId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  let allowCredentials: { id: string; transports?: string[] }[] = [];
  let expectedUserId: string | null = null;
  if (forUser) {
    const own = forUser.user ? await listPasskeys(forUser.user.id) : [];
    allowCredentials = own.length ? own.map((p) => ({ id: p.id, transports: p.transports })) : await decoyCredentials(forUser.identifier);
    // An unknown identifier expects a user that cannot exist, so every response fails the same way.
    expectedUserId = forUser.user?.id ?? "none";
  }
  const options = await generateAuthenticationOptions({
    rpID: getConfig().rpID,
    allowCredentials,
    userVerification: "required",
    timeout: CEREMONY_TIMEOUT_SECONDS * 1000,
  });
  const flowId = randomToken();
  const stored: StoredAuthentication = { challenge: options.challenge, expectedUserId };
  await kv().set(authKey(flowId), JSON.stringify(stored), CEREMONY_TIMEOUT_SECONDS);
  return { flowId, options };
}

export type AuthenticationFailure = { ok: false; error: ErrorCode; unknownCredentialId?: string };

/**
 * Verifies an authentication response. One query loads the credential with its user; the
 * challenge is taken first, so it is spent on failure too.
 */
export async function finishAuthentication(
  flowId: string | undefined,
  input: unknown,
): Promise<{ ok: true; user: User; passkey: Passkey } | AuthenticationFailure> {
  const raw = flowId ? await kv().take(authKey(flowId)) : null;
  if (!raw) return fail("challenge_expired");
  const stored = JSON.parse(raw) as StoredAuthentication;
  const parsed = authenticationResponseSchema.safeParse(input);
  if (!parsed.success) return fail("signin_failed");
  const response = parsed.data;

  const db = await getDb();
  const [row] = await db.select({ passkey: passkeys, user: users }).from(passkeys).innerJoin(users, eq(users.id, passkeys.userId)).where(eq(passkeys.id, response.id));
  if (!row) {
    // Username-first options list the person's passkeys, or decoys for an unknown name: telling
    // "unknown" apart from "wrong" there would tell decoys from real accounts. A discoverable
    // request reveals no account, so there an unknown id is reported, for the Signal API.
    return stored.expectedUserId === null ? { ok: false, error: "unknown_passkey", unknownCredentialId: response.id } : fail("signin_failed");
  }
  const { passkey, user } = row;
  // The handle the authenticator returns must be this credential's owner's; in username-first mode
  // the owner must also be the person who was asked for.
  if (response.response.userHandle !== undefined ? response.response.userHandle !== user.webauthnUserId : stored.expectedUserId === null) {
    return fail("signin_failed");
  }
  if (stored.expectedUserId !== null && stored.expectedUserId !== user.id) return fail("signin_failed");

  const config = getConfig();
  let info;
  try {
    // The stored counter is checked below, once the signature has verified: only a response the
    // passkey really signed may write a warning into its owner's activity.
    const result = await verifyAuthenticationResponse({
      response: response as AuthenticationResponseJSON,
      expectedChallenge: stored.challenge,
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
  return { ok: true, user, passkey: { ...passkey, counter: info.newCounter, backedUp: info.credentialBackedUp, lastUsedAt: now } };
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

export const passkeyNameSchema = z.string().trim().min(1, "Give the passkey a name.").max(64, "Use at most 64 characters.");

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
 * Deletes one of the user's passkeys, and signs out the devices that signed in with it (whoever
 * holds it may be why it is being removed), except `keepSessionId`, the device removing it.
 * The email address remains a way in. Null if it isn't theirs.
 */
export async function deletePasskey(userId: string, passkeyId: string, keepSessionId?: string): Promise<{ passkey: Passkey; signedOut: number } | null> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    // Sessions first: deleting the passkey sets their passkey_id to null.
    const ended = await tx
      .delete(sessions)
      .where(and(eq(sessions.userId, userId), eq(sessions.passkeyId, passkeyId), keepSessionId ? ne(sessions.id, keepSessionId) : undefined))
      .returning({ id: sessions.id });
    const [deleted] = await tx.delete(passkeys).where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, userId))).returning();
    if (!deleted) return null;
    await recordActivity(userId, "passkey_removed", { name: deleted.name, ...(ended.length ? { signedOut: String(ended.length) } : {}) }, tx);
    return { passkey: deleted, signedOut: ended.length };
  });
}
