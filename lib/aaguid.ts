import "server-only";
import list from "./data/passkey-aaguids.json";

type Entry = { name: string; icon_light?: string; icon_dark?: string };
const providers = list as Record<string, Entry>;

/** The provider's icons (SVG data URIs) for light and dark backgrounds, or null for the generic icon. */
export function providerIcons(aaguid: string): { light: string; dark: string } | null {
  const entry = providers[aaguid.toLowerCase()];
  const light = entry?.icon_light ?? entry?.icon_dark;
  const dark = entry?.icon_dark ?? entry?.icon_light;
  return light && dark && light.startsWith("data:image/") && dark.startsWith("data:image/") ? { light, dark } : null;
}

/** The provider's friendly name for an AAGUID, or null; a display aid only, never a trust decision. */
export function providerName(aaguid: string): string | null {
  return providers[aaguid.toLowerCase()]?.name ?? null;
}
