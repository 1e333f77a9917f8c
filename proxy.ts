import { NextResponse, type NextRequest } from "next/server";

/**
 * Per-request security headers, and a convenience redirect for signed-out visitors of /account
 * (every page and action checks the session itself; this only saves a round trip).
 */
export function proxy(request: NextRequest) {
  const nonce = btoa(crypto.randomUUID());
  const https = request.nextUrl.protocol === "https:";
  // React needs eval in development only (to rebuild server error stacks); NODE_ENV is a build-time constant.
  const devEval = process.env.NODE_ENV === "development" ? " 'unsafe-eval'" : "";
  const csp = [
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

  const path = request.nextUrl.pathname;
  const signedOut = !request.cookies.has("session") && !request.cookies.has("__Host-session");
  let response: NextResponse;
  if (signedOut && (path === "/account" || path.startsWith("/account/")) && request.method === "GET") {
    const login = new URL("/login", request.url);
    login.searchParams.set("next", path);
    response = NextResponse.redirect(login);
  } else {
    // Next reads the nonce from the request's CSP header and puts it on its own scripts.
    const headers = new Headers(request.headers);
    headers.set("content-security-policy", csp);
    response = NextResponse.next({ request: { headers } });
  }
  response.headers.set("Content-Security-Policy", csp);
  // Pages show who is signed in and carry one-time forms: never store them anywhere.
  response.headers.set("Cache-Control", "no-store");
  if (https) response.headers.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  return response;
}

export const config = {
  matcher: [{ source: "/((?!_next/static|_next/image|favicon.ico|api/).*)" }],
};
