import { ConfigError, getConfig } from "./env";
import { stampPeerAddresses } from "./peer-address";
import { describeClientKey } from "./rate-limit";

/** Run once at server start (instrumentation.ts): a misconfigured server never takes a request. */
export function checkConfigurationAtStart(): void {
  try {
    const config = getConfig();
    if (config.trustProxy === "none") stampPeerAddresses();
    if (config.notices.length) console.info(`Passwordless is using embedded stand-ins:\n${config.notices.map((n) => `  - ${n}`).join("\n")}`);
    console.info(`Per-client rate limits key on ${describeClientKey(config.trustProxy)}.`);
    for (const warning of config.warnings) console.warn(`\n${"!".repeat(78)}\nWARNING: ${warning}\n${"!".repeat(78)}\n`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`\n${error.message}\n\nSee README.md "Configuration". The server will not start.\n`);
    process.exit(1);
  }
}

/**
 * Readies the embedded database (PGlite's start-up and migrations take seconds) and the argon2
 * addon before the first request, so the first person to sign up doesn't wait for them. A real
 * PostgreSQL is left to connect on first use: a database that is down must not stop the start.
 */
export async function warmUp(): Promise<void> {
  const started = performance.now();
  try {
    await import("@node-rs/argon2");
    // Inlined at build time (next.config.ts): "" in a build for Vercel, so this import and the
    // database driver behind it stay out of every function there.
    if (process.env.EMBEDDED_WARM_UP && !getConfig().databaseUrl) {
      const { getDb } = await import("@/db/client");
      await getDb();
      console.info(`Embedded database ready in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    }
  } catch (error) {
    // The first request tries again and shows the friendly error page if it still fails.
    console.error("Warming up failed:", error instanceof Error ? error.message : error);
  }
}

/** The first journey's routes: the home page, sign-up, sign-in (whose page also takes the passkey sign-in's post) and the account page. */
const FIRST_JOURNEY: { path: string; init?: RequestInit }[] = [
  { path: "/" },
  { path: "/signup" },
  { path: "/login" },
  // A cookie the page won't accept gets past the proxy's signed-out redirect, so the page itself compiles.
  { path: "/account", init: { headers: { cookie: "session=warm-up" } } },
];

/**
 * Under `next dev`, each route compiles on its first request, and the first sign-up used to wait
 * about 30 s for /account. Requests each route of the first journey
 * once, in the background, as soon as the server answers, so they are ready when a person gets
 * there. Development only; never awaited, and its failures are only logged.
 */
export function warmFirstJourneyInDev(): void {
  if (process.env.NODE_ENV !== "development") return;
  const origin = `http://localhost:${process.env.PORT || "3000"}`;
  void (async () => {
    const started = performance.now();
    // The server starts listening after this process registers: wait until it answers.
    for (let i = 0; i < 120; i++) {
      if (await fetch(`${origin}/api/health`).then((r) => r.ok, () => false)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    for (const { path, init } of FIRST_JOURNEY) {
      const headers = new Headers(init?.headers);
      headers.set("origin", origin);
      // Read to the end: the page is then rendered (and compiled) in full.
      await fetch(`${origin}${path}`, { ...init, headers, redirect: "manual" }).then(
        (r) => r.arrayBuffer(),
        (error: unknown) => console.warn(`warming ${path} failed:`, error instanceof Error ? error.message : error),
      );
    }
    console.info(`First journey's routes compiled in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  })();
}
