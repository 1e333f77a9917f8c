/**
 * The server the e2e suite runs against. `npm test`: the embedded build Playwright starts itself
 * on port 3100. `npm run test:services` (scripts/test-services.ts) starts its own servers on real
 * backends and says so through these variables.
 */
export const target = {
  baseURL: process.env.E2E_BASE_URL ?? "http://localhost:3100",
  /** E2E_WEB_SERVER=0: a server is already running at baseURL; Playwright must not start one. */
  startsServer: process.env.E2E_WEB_SERVER !== "0",
  /** E2E_SERVICES=1: real Postgres, Redis and Resend stand-ins; the specs in e2e/services/ run too. */
  services: process.env.E2E_SERVICES === "1",
  /** Set in real-services runs: read mail from the Resend stand-in instead of /dev/outbox. */
  mailRecorderUrl: process.env.MAIL_RECORDER_URL,
  /** The RESEND_WEBHOOK_SECRET the suite's servers are started with, to sign fixture webhooks. */
  webhookSecret: `whsec_${Buffer.from("the e2e suite's webhook secret!!").toString("base64")}`,
};
