import { NextResponse, type NextRequest } from "next/server";
import { checkActionRequest, checkFormPost } from "./lib/action-body";

/**
 * Per-request security headers, and a convenience redirect for signed-out visitors of /account
 * (every page and action checks the session itself; this only saves a round trip).
 */
const RESEND_WEBHOOK_PATH = "/api/webhooks/resend";

export async function proxy(request: NextRequest) {
  // Resend's webhooks come from its servers, without an Origin; each is checked by its signature.
  const webhook = request.nextUrl.pathname === RESEND_WEBHOOK_PATH && request.method === "POST";
  if (!webhook && isCrossSiteWrite(request)) return refuse(403, "Cross-site request refused.");
  if (request.method === "POST") {
    const verdict = request.headers.has("next-action") ? await checkActionRequest(request) : await checkFormPost(request);
    if (!verdict.ok) return refuse(verdict.status, verdict.reason);
  }

  const https = request.nextUrl.protocol === "https:";
  // Only a document a browser renders needs a policy and its nonce: an action's Flight answer to
  // the page's fetch gets neither (nor the header copy).
  const csp = request.headers.has("next-action") ? null : contentSecurityPolicy(https);

  const path = request.nextUrl.pathname;
  const signedOut = !request.cookies.has("session") && !request.cookies.has("__Host-session");
  let response: NextResponse;
  if (signedOut && (path === "/account" || path.startsWith("/account/")) && request.method === "GET") {
    const login = new URL("/login", request.url);
    login.searchParams.set("next", path);
    response = NextResponse.redirect(login);
  } else if (csp) {
    // Next reads the nonce from the request's CSP header and puts it on its own scripts.
    const headers = new Headers(request.headers);
    headers.set("content-security-policy", csp);
    response = NextResponse.next({ request: { headers } });
  } else {
    response = NextResponse.next();
  }
  if (csp) response.headers.set("Content-Security-Policy", csp);
  // Pages show who is signed in and carry one-time forms: never store them anywhere. Public
  // documents the same for everyone (the passkey endpoints) keep their own caching.
  if (!PUBLIC_DOCUMENTS.has(path)) response.headers.set("Cache-Control", "no-store");
  if (https) response.headers.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  return response;
}

const PUBLIC_DOCUMENTS = new Set(["/.well-known/passkey-endpoints"]);

/** The policy for a document, with a fresh nonce for its scripts. */
function contentSecurityPolicy(https: boolean): string {
  const nonce = btoa(crypto.randomUUID());
  // React needs eval in development only (to rebuild server error stacks); NODE_ENV is a build-time constant.
  const devEval = process.env.NODE_ENV === "development" ? " 'unsafe-eval'" : "";
  return [
    "default-src 'self'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'${devEval}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

function refuse(status: number, message: string): NextResponse {
  return new NextResponse(message, { status, headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
}

/**
 * A state-changing request must come from a page of this site: an Origin whose host is the
 * request's host, and no Sec-Fetch-Site saying otherwise. Next.js checks server actions' Origin
 * too, but lets a request without one through; browsers always send it on POST, so only
 * forgeries lack it.
 */
function isCrossSiteWrite(request: NextRequest): boolean {
  if (request.method === "GET" || request.method === "HEAD" || request.method === "OPTIONS") return false;
  // A sibling subdomain ("same-site") fails the Origin check below; a load balancer spreading one
  // origin over several ports or hosts must not.
  if (request.headers.get("sec-fetch-site") === "cross-site") return true;
  const origin = request.headers.get("origin");
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  if (!origin || !host || !URL.canParse(origin)) return true;
  return new URL(origin).host !== host;
}

export const config = {
  // Static files (the build's, and the icons and manifest) pass by: they keep their own caching.
  matcher: [{ source: "/((?!_next/static|_next/image|favicon.ico|icon.svg|apple-icon.png|manifest.webmanifest|icon-).*)" }],
};
