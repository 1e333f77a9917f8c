import "server-only";
import list from "./data/passkey-aaguids.json";

type Entry = { name: string; icon_light?: string; icon_dark?: string };
const providers = list as Record<string, Entry>;

export const GENERIC_PASSKEY_NAME = "Passkey";

/** The provider's friendly name for an AAGUID; a display aid only, never a trust decision. */
export function providerName(aaguid: string): string {
  return providers[aaguid.toLowerCase()]?.name ?? GENERIC_PASSKEY_NAME;
}
