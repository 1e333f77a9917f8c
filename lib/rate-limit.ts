import "server-only";
import { headers } from "next/headers";
import { isIP } from "node:net";
import { getConfig, type Config } from "./env";
import { kv } from "./kv";
import { PEER_HEADER, peerAddressesStamped } from "./peer-address";
import { sha256Hex } from "./secrets";

/**
 * Fixed-window limits on the ephemeral store. Identifiers are hashed so no address or IP
 * sits in the store in clear. "Client" is an address nobody else's traffic shares (see
 * clientKeyFrom), so one client can only ever use up its own limits.
 */
export const LIMITS = {
  /** Verification emails (sign-up, email change) to one address. */
  verificationPerEmail: { limit: 5, windowSeconds: 15 * 60 },
  /** Sign-up attempts from one client (also bounds how fast usernames can be tried). */
  signupPerClient: { limit: 30, windowSeconds: 15 * 60 },
  /** Sign-in emails for one username or address (known or not, so the limit tells nothing). */
  emailPerAddress: { limit: 5, windowSeconds: 15 * 60 },
  /** Sign-in email requests from one client. */
  emailPerClient: { limit: 30, windowSeconds: 15 * 60 },
  /** Number choices on email sign-in approval pages, from one client and for one account (each costs argon2 work). */
  emailApprovalPerClient: { limit: 30, windowSeconds: 15 * 60 },
  emailApprovalPerAccount: { limit: 10, windowSeconds: 15 * 60 },
  /** WebAuthn options from one client (flooding the challenge store). */
  optionsPerClient: { limit: 600, windowSeconds: 60 },
  /** "Sign in with your phone" QR codes made from one client (each is a stored request). */
  qrPerClient: { limit: 20, windowSeconds: 15 * 60 },
  /** QR approvals tried from one client, and for one account (each starts a passkey ceremony). */
  qrApprovalPerClient: { limit: 20, windowSeconds: 15 * 60 },
  qrApprovalPerAccount: { limit: 20, windowSeconds: 15 * 60 },
} as const;

export type LimitName = keyof typeof LIMITS;

/** Counts one hit; false when the limit for this window is already used up. */
export async function hit(name: LimitName, identifier: string): Promise<boolean> {
  const { limit, windowSeconds } = LIMITS[name];
  const count = await kv().increment(`rl:${name}:${sha256Hex(identifier)}`, windowSeconds);
  return count <= limit;
}

/** This request's client, for per-client limits. */
export async function clientKey(): Promise<string> {
  return clientKeyFrom(await headers(), getConfig().trustProxy, peerAddressesStamped());
}

/**
 * The client's address: from the header a trusted proxy sets (TRUST_PROXY), else the TCP peer
 * this process saw (never a header the client could write). IPv6 addresses count per /64, the
 * block one subscriber gets. Only if neither is known do all clients share one bucket.
 */
export function clientKeyFrom(h: Pick<Headers, "get">, trustProxy: Config["trustProxy"], peerStamped: boolean): string {
  let address: string | undefined;
  if (trustProxy === "vercel") address = h.get("x-vercel-forwarded-for")?.split(",")[0]?.trim() || h.get("x-real-ip") || undefined;
  else if (trustProxy === "xff") address = h.get("x-forwarded-for")?.split(",").at(-1)?.trim() || undefined;
  else if (peerStamped) address = h.get(PEER_HEADER) || undefined;
  return address ? normalizeAddress(address) : "unknown-client";
}

function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIP(address) !== 6) return address;
  // Expand "::" so the first four groups are the /64 prefix.
  const [head = "", tail = ""] = address.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.padStart(4, "0")).join(":")}::/64`;
}

/** What the start-up log says per-client limits are keyed on. */
export function describeClientKey(trustProxy: Config["trustProxy"]): string {
  if (trustProxy === "vercel") return "Vercel's client IP header (TRUST_PROXY=vercel)";
  if (trustProxy === "xff") return "the last X-Forwarded-For entry, from your proxy (TRUST_PROXY=xff)";
  return "the TCP peer address (TRUST_PROXY unset: no forwarded header is believed)";
}
