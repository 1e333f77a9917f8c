import "server-only";
import { providerName } from "./aaguid";

/** What is stored about each passkey that says where it lives. */
export type PasskeyPlace = { aaguid: string; backedUp: boolean };

const ZERO_AAGUID = "00000000-0000-0000-0000-000000000000";

/**
 * The resilience check: a sentence when every one of the account's passkeys lives in one place,
 * so losing that one place (a passkey manager's account, a device, a security key) loses them all;
 * null once they don't, or when the stored facts can't tell. A synced passkey lives in the
 * provider its AAGUID names (the zero AAGUID names none, so several of those may be in different
 * managers); an unsynced one on one device or key, and several unsynced ones may be on several.
 * `passkeyOnly`: whether email sign-in is off, so losing them all means no way in at all.
 */
export function resilienceWarning(passkeys: readonly PasskeyPlace[], passkeyOnly: boolean): string | null {
  const [first, ...rest] = passkeys;
  if (!first) return null;
  const loss = passkeyOnly ? "doesn't lock you out" : "doesn't leave email as your only way in";
  if (rest.length === 0) {
    const where = first.backedUp ? `in ${providerName(first.aaguid) ?? "one passkey manager"}` : "on one device or security key";
    const elsewhere = first.backedUp ? "on a security key or another device" : "on another device or a security key";
    return `Your only passkey is ${where}. Add one ${elsewhere} so losing ${first.backedUp ? "that account" : "it"} ${loss}.`;
  }
  const aaguid = first.aaguid.toLowerCase();
  const oneProvider = aaguid !== ZERO_AAGUID && passkeys.every((p) => p.backedUp && p.aaguid.toLowerCase() === aaguid);
  if (!oneProvider) return null;
  return `All your passkeys are in ${providerName(aaguid) ?? "the same passkey manager"}. Add one on a security key or another device so losing that account ${loss}.`;
}
