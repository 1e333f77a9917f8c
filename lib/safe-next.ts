const BASE = "http://next.invalid";

/**
 * A post-sign-in destination from untrusted input: a same-site path, or the fallback.
 * The URL parser does the hard part (backslashes, tabs and newlines that browsers ignore).
 */
export function safeNextPath(next: unknown, fallback = "/account"): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.length > 2048) return fallback;
  try {
    const url = new URL(next, BASE);
    if (url.origin !== BASE) return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return fallback;
  }
}
