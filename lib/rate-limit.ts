import "server-only";
import { headers } from "next/headers";
import { getConfig } from "./env";
import { kv } from "./kv";
import { sha256Hex } from "./secrets";

/**
 * Fixed-window limits on the ephemeral store. Identifiers are hashed so no address or IP
 * sits in the store in clear.
 */
export const LIMITS = {
  /** Verification emails (sign-up, email change) to one address. */
  verificationPerEmail: { limit: 5, windowSeconds: 15 * 60 },
  /**
   * Sign-up attempts from one client. Per-client limits stop floods, not people: without a
   * trusted proxy every client shares one bucket, so they sit well above one person's use.
   */
  signupPerClient: { limit: 200, windowSeconds: 15 * 60 },
  /** Sign-in emails for one username or address (throttled requests get the same answer, no mail). */
  emailPerAddress: { limit: 5, windowSeconds: 15 * 60 },
  /** Sign-in email requests from one client. */
  emailPerClient: { limit: 200, windowSeconds: 15 * 60 },
  /** WebAuthn options from one client (flooding the challenge store). */
  optionsPerClient: { limit: 600, windowSeconds: 60 },
} as const;

export type LimitName = keyof typeof LIMITS;

/** Counts one hit; false when the limit for this window is already used up. */
export async function hit(name: LimitName, identifier: string): Promise<boolean> {
  const { limit, windowSeconds } = LIMITS[name];
  const count = await kv().increment(`rl:${name}:${sha256Hex(identifier)}`, windowSeconds);
  return count <= limit;
}

/**
 * The client's IP, only from a header a trusted proxy sets (TRUST_PROXY). Without one, every
 * client shares one bucket: a spoofed X-Forwarded-For must not buy a fresh limit.
 */
export async function clientKey(): Promise<string> {
  return clientKeyFrom(await headers(), getConfig().trustProxy);
}

export function clientKeyFrom(h: Pick<Headers, "get">, trustProxy: "none" | "vercel" | "xff"): string {
  switch (trustProxy) {
    case "vercel":
      return h.get("x-vercel-forwarded-for")?.split(",")[0]?.trim() || h.get("x-real-ip") || "unknown";
    case "xff":
      return h.get("x-forwarded-for")?.split(",").at(-1)?.trim() || "unknown";
    default:
      return "all-clients";
  }
}
