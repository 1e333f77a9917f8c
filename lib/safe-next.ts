import "server-only";
const BASE = "http://next.invalid";

/**
 * A post-sign-in destination from untrusted input: a same-site path, or the fallback.
 * The URL parser does the hard part (backslashes, tabs and newlines that browsers ignore, dot
 * segments); the check runs on what is finally emitted, because normalising can turn a path
 * such as "/.//evil.example" into the protocol-relative "//evil.example".
 */
export function safeNextPath(next: unknown, fallback = "/account"): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.length > 2048) return fallback;
  try {
    const url = new URL(next, BASE);
    if (url.origin !== BASE) return fallback;
    const path = `${url.pathname}${url.search}${url.hash}`;
    return isSameOriginPath(path) ? path : fallback;
  } catch {
    return fallback;
  }
}

/** "/x" stays on this origin wherever a browser resolves it; "//x" and "/\x" leave it. */
function isSameOriginPath(path: string): boolean {
  return path.startsWith("/") && path[1] !== "/" && path[1] !== "\\" && new URL(path, BASE).origin === BASE;
}
