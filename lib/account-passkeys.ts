import "server-only";
import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import { headers } from "next/headers";
import { fail, type Result } from "./shared/errors";
import { heldUntil } from "./hold";
import { sendSecurityNotice } from "./notices";
import { rememberPasskeyHere } from "./passkey-offer";
import { credentialSignals, deletePasskey, listPasskeys, MAX_PASSKEYS, renamePasskey, savePasskey, type Signals } from "./passkeys";
import { requireSession, RISKY_CHANGE } from "./session";
import { registrationOptions, verifyRegistration, type AuthenticatorChoice } from "./webauthn";

/**
 * The account page's passkey actions, each checking the session itself: add (on this device, a
 * phone or a security key), rename, remove. The account's address hears of additions and
 * removals; the browser's passkey manager is told what the server now accepts (Signal API).
 */

/** Options for another passkey; needs a sign-in or "confirm it's you" from the last 10 minutes. */
export async function addPasskeyOptions(choice?: AuthenticatorChoice): Promise<Result<{ options: PublicKeyCredentialCreationOptionsJSON }>> {
  const guard = await requireSession("fresh");
  if (!guard.ok) return guard;
  const existing = await listPasskeys(guard.current.user.id);
  if (existing.length >= MAX_PASSKEYS) return fail("passkey_limit");
  return { ok: true, options: await registrationOptions(guard.current.user, existing, choice) };
}

export async function addPasskeyVerify(response: unknown): Promise<Result<{ name: string }>> {
  const guard = await requireSession();
  if (!guard.ok) return guard;
  const { user, session } = guard.current;
  const verified = await verifyRegistration(user.id, response);
  if (!verified.ok) return verified;
  const saved = await savePasskey(user.id, verified.registration, { sessionId: session.id, withPasskeyId: session.passkeyId, userAgent: (await headers()).get("user-agent"), heldUntil: heldUntil(session) });
  if (!saved.ok) return saved;
  if (verified.registration.attachment === "platform") await rememberPasskeyHere(user.id, saved.passkey.id);
  sendSecurityNotice(user.email, "A passkey was added to your account", [`A passkey (${saved.passkey.name}) was added to your account from ${session.userAgent}.`]);
  return { ok: true, name: saved.passkey.name };
}

export async function renameAccountPasskey(passkeyId: string, name: string): Promise<Result<{ signals: Signals }>> {
  const guard = await requireSession();
  if (!guard.ok) return guard;
  if (!(await renamePasskey(guard.current.user.id, passkeyId, name))) return fail("passkey_not_found");
  return { ok: true, signals: await credentialSignals(guard.current.user) };
}

/** Removes a passkey; the devices that signed in with it are signed out (this one stays). */
export async function removeAccountPasskey(passkeyId: string): Promise<Result<{ signals: Signals; signedOut: number }>> {
  const guard = await requireSession(...RISKY_CHANGE);
  if (!guard.ok) return guard;
  const { user, session } = guard.current;
  const deleted = await deletePasskey(user.id, passkeyId, session.id);
  if (!deleted.ok) return deleted;
  sendSecurityNotice(user.email, "A passkey was removed from your account", [
    `The passkey "${deleted.passkey.name}" was removed from your account from ${session.userAgent}. It can no longer be used to sign in${deleted.signedOut ? `, and ${deleted.signedOut} ${deleted.signedOut === 1 ? "device that" : "devices that"} signed in with it ${deleted.signedOut === 1 ? "was" : "were"} signed out` : ""}.`,
  ]);
  return { ok: true, signals: await credentialSignals(user), signedOut: deleted.signedOut };
}
