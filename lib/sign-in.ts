import "server-only";
import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { headers } from "next/headers";
import type { User } from "@/db/schema";
import { signedCookie, textCookie } from "./cookies";
import { getConfig } from "./env";
import { fail, type Result } from "./shared/errors";
import { noteSignIn, offerReason, passkeyUse, type PasskeyUse } from "./passkey-offer";
import { passkeyExists } from "./passkeys";
import { clientKey, hit } from "./rate-limit";
import { holdForNewSession } from "./hold";
import { startSession, type AuthMethod } from "./session";
import { alertSignIn } from "./sign-in-alerts";
import { summarizeUserAgent } from "./user-agent";
import { findUserById, findUserByIdentifier } from "./users";
import { authenticationOptions, verifyAuthentication } from "./webauthn";

/**
 * What a sign-in does, whichever way in: a fresh session, the activity entry, and the sign-in
 * page greeting this person next time. Also the sign-in page's own state: the remembered user
 * and the name typed at step 1.
 */
const REMEMBER_TTL_SECONDS = 30 * 24 * 60 * 60;
const TYPED_NAME_TTL_SECONDS = 60 * 60;
export const MAX_IDENTIFIER_LENGTH = 254;

const rememberCookie = () => signedCookie("remember", REMEMBER_TTL_SECONDS);
const typedNameCookie = () => textCookie("login", TYPED_NAME_TTL_SECONDS, MAX_IDENTIFIER_LENGTH);

/** The person this browser last signed in as, if the account still exists. */
export async function rememberedUser(): Promise<User | null> {
  const id = await rememberCookie().get();
  return id ? findUserById(id) : null;
}

/** What was typed at step 1 of username-first sign-in (echoed, never looked up for display). */
export async function typedIdentifier(): Promise<string | undefined> {
  return typedNameCookie().get();
}

export async function setTypedIdentifier(identifier: string): Promise<void> {
  await typedNameCookie().set(identifier);
}

/** "Switch user": forget the remembered user and the typed name. */
export async function forgetSignInName(): Promise<void> {
  await rememberCookie().clear();
  await typedNameCookie().clear();
}

/**
 * Every way in ends here: a new session (the one cookie sealed; on hold after an email sign-in,
 * see hold.ts), the activity entry, the greeting, and an alert for an email sign-in or a browser
 * the account hasn't used before (not for the sign-in that ends a sign-up).
 */
export async function completeSignIn(user: User, way: { method: AuthMethod; passkeyId?: string | null; passkeyHeldUntil?: Date | null; firstSignIn?: boolean; use?: PasskeyUse }): Promise<void> {
  const heldUntil = way.firstSignIn ? null : await holdForNewSession(user.id, way);
  const device = summarizeUserAgent((await headers()).get("user-agent"));
  const sessionId = await startSession({ userId: user.id, method: way.method, passkeyId: way.passkeyId ?? null, heldUntil, passkeyOffer: offerReason(way) }, { type: "signed_in", detail: { method: way.method, device } });
  const { isNew, deviceHash } = await noteSignIn(user.id, way);
  if (!way.firstSignIn && (way.method === "email" || isNew)) await alertSignIn(user, { sessionId, method: way.method, device, deviceHash }, heldUntil);
  await rememberCookie().set(user.id);
  // Only a browser that typed a name at step 1 has one to clear: no clearing header on every sign-in.
  if ((await typedIdentifier()) !== undefined) await typedNameCookie().clear();
}

/**
 * Options for a passkey sign-in: "discoverable" (autofill and the no-username button) or
 * "identified" (the remembered or typed person's passkeys, or decoys; no list for a typed email,
 * see authenticationOptions). Sets no cookie.
 */
export async function passkeySignInOptions(mode: "discoverable" | "identified"): Promise<Result<{ options: PublicKeyCredentialRequestOptionsJSON }>> {
  if (!(await hit("optionsPerClient", await clientKey()))) return fail("rate_limited");
  return signInPageOptions(mode);
}

/**
 * The same options, rendered with the sign-in page so a ceremony starts without an options
 * request. Their challenge is stateless (challenge.ts) and nothing here writes, so a page view
 * costs no storage and needs no rate limit.
 */
export async function signInPageOptions(mode: "discoverable" | "identified"): Promise<Result<{ options: PublicKeyCredentialRequestOptionsJSON }>> {
  if (mode === "discoverable") return { ok: true, options: await authenticationOptions({ purpose: "sign-in" }) };
  const remembered = await rememberedUser();
  const identifier = remembered?.username ?? (await typedIdentifier());
  if (!identifier) return fail("challenge_expired");
  const user = remembered ?? (await findUserByIdentifier(identifier));
  return { ok: true, options: await authenticationOptions({ purpose: "sign-in", forUser: { identifier, user } }) };
}

export type PasskeySignInResult = Result<object, { unknownCredentialId?: string }>;

/**
 * Verifies the browser's assertion and signs this browser in with that passkey, in the same
 * request (the page posts it as a plain form, see app/login/actions.ts).
 */
export async function signInWithPasskey(response: unknown): Promise<PasskeySignInResult> {
  const result = await verifyAuthentication(response, { purpose: "sign-in" });
  if (!result.ok) return result;
  const { heldUntil } = result.passkey;
  await completeSignIn(result.user, { method: "passkey", passkeyId: result.passkey.id, passkeyHeldUntil: heldUntil, use: passkeyUse(result.attachment, result.passkey.transports) });
  return { ok: true };
}

/**
 * A credential the sign-in page may ask the passkey manager to drop (Signal API), named in the
 * page's address after a failed sign-in: only if this server really doesn't know it, so a crafted
 * address can't make a browser hide a passkey that works.
 */
export async function unknownCredentialToSignal(credentialId: string | undefined): Promise<{ rpID: string; credentialID: string } | null> {
  if (!credentialId || !/^[A-Za-z0-9_-]{1,1366}$/.test(credentialId)) return null;
  return (await passkeyExists(credentialId)) ? null : { rpID: getConfig().rpID, credentialID: credentialId };
}
