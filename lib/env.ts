import "server-only";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * The only module that reads process.env. Everything else asks getConfig().
 *
 * Embedded backends (PGlite, in-process store, dev outbox, a generated session secret) are
 * allowed under `next dev` and wherever ALLOW_EMBEDDED=1, never on Vercel: a serverless
 * deployment with an in-memory store would silently lose challenges between instances.
 */

export type Config = {
  appUrl: string;
  /** APP_URL's origin. */
  origin: string;
  /** Origins whose WebAuthn responses are accepted: APP_URL's origin, then RP_ORIGINS. */
  expectedOrigins: string[];
  /** RP_ORIGINS: other origins allowed to use this RP ID (served at /.well-known/webauthn). */
  relatedOrigins: string[];
  /** WebAuthn RP ID: APP_URL's hostname. */
  rpID: string;
  rpName: string;
  /** APP_URL is https: cookies get Secure and the __Host- prefix. */
  secure: boolean;
  sessionSecret: string;
  embeddedAllowed: boolean;
  databaseUrl: string | null;
  /** postgres.js pool settings for DATABASE_URL. */
  postgres: { max: number; idleTimeoutSeconds: number; connectTimeoutSeconds: number; prepare: boolean };
  /** PGlite data directory when DATABASE_URL is unset ("memory://" keeps it in memory). */
  pgliteDir: string;
  upstash: { url: string; token: string } | null;
  resend: { apiKey: string; baseUrl: string | undefined } | null;
  /** Resend's webhook signing secret ("whsec_…"): without it, /api/webhooks/resend answers 404. */
  resendWebhookSecret: string | null;
  /**
   * Without Resend, mail lands in the dev outbox (/dev/outbox and the console): always under
   * `next dev`, and in a production start only when DEV_OUTBOX=1 says so, because then anyone
   * who can reach the server can read every email. Otherwise it is dropped, contents unlogged.
   */
  outbox: boolean;
  emailFrom: string;
  /** Which request header, if any, names the client's IP (for per-client rate limits). */
  trustProxy: "none" | "vercel" | "xff";
  /** Announcements for the console at start (which embedded stand-ins are in use). */
  notices: string[];
  /** Loud start-up warnings: settings that expose something. */
  warnings: string[];
};

const flagValues = z.enum(["1", "0", "true", "false", "yes", "no", ""]).optional();
const flag = flagValues.transform((v) => v === "1" || v === "true" || v === "yes");
/** A setting that is on unless explicitly turned off. */
const onUnlessOff = flagValues.transform((v) => v !== "0" && v !== "false" && v !== "no");

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

const wholeNumber = (min: number, max: number) =>
  optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, "must be a whole number")
      .transform(Number)
      .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
      .optional(),
  );

const httpOrigin = z
  .url({ protocol: /^https?$/, message: "must be an http(s) URL such as https://example.com" })
  .refine(isBareOrigin, "must be an origin with no path or query");

/** Comma-separated origins; each must be a bare http(s) origin. */
const originList = optionalText.pipe(
  z
    .string()
    .transform((v) => v.split(",").map((o) => o.trim()).filter(Boolean))
    .superRefine((list, ctx) => {
      for (const origin of list) {
        if (!httpOrigin.safeParse(origin).success) {
          ctx.addIssue({ code: "custom", message: `must list http(s) origins with no path, such as https://example.com (not ${JSON.stringify(origin)})` });
        }
      }
    })
    .optional(),
);

const schema = z.object({
  NODE_ENV: z.string().optional(),
  VERCEL: optionalText,
  APP_URL: optionalText.pipe(httpOrigin.optional()),
  RP_ORIGINS: originList,
  RP_NAME: optionalText.pipe(z.string().max(64, "must be at most 64 characters").optional()),
  SESSION_SECRET: optionalText.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  DATABASE_URL: optionalText.pipe(
    z.url({ protocol: /^postgres(ql)?$/, message: "must be a postgres:// or postgresql:// URL" }).optional(),
  ),
  DATABASE_POOL_MAX: wholeNumber(1, 100),
  DATABASE_IDLE_TIMEOUT: wholeNumber(0, 3600),
  DATABASE_CONNECT_TIMEOUT: wholeNumber(1, 60),
  DATABASE_PREPARE: onUnlessOff,
  PGLITE_DIR: optionalText,
  UPSTASH_REDIS_REST_URL: optionalText.pipe(z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional()),
  UPSTASH_REDIS_REST_TOKEN: optionalText,
  KV_REST_API_URL: optionalText.pipe(z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional()),
  KV_REST_API_TOKEN: optionalText,
  RESEND_API_KEY: optionalText,
  RESEND_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional()),
  RESEND_WEBHOOK_SECRET: optionalText.pipe(z.string().regex(/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/, 'must be the webhook\'s signing secret, "whsec_" and base64').optional()),
  EMAIL_FROM: optionalText.pipe(
    z
      .string()
      .regex(/^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, 'must be an address, e.g. "Acme <auth@acme.com>"')
      .optional(),
  ),
  ALLOW_EMBEDDED: flag,
  DEV_OUTBOX: flagValues,
  TRUST_PROXY: z.enum(["vercel", "xff", "none", ""]).optional(),
});

function isBareOrigin(value: string): boolean {
  if (!URL.canParse(value)) return true; // the URL check above reports it
  const url = new URL(value);
  return url.pathname === "/" && !url.search && !url.hash;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

/** Pure: builds the configuration from an environment, or throws ConfigError listing every problem. */
export function loadConfig(env: Env, readDevSecret: () => string = devSessionSecret): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`));
  }
  const e = parsed.data;
  const onVercel = Boolean(e.VERCEL);
  const embeddedAllowed = !onVercel && (e.NODE_ENV !== "production" || e.ALLOW_EMBEDDED);

  const problems: string[] = [];
  const upstashUrl = e.UPSTASH_REDIS_REST_URL ?? e.KV_REST_API_URL;
  const upstashToken = e.UPSTASH_REDIS_REST_TOKEN ?? e.KV_REST_API_TOKEN;
  if (upstashUrl && !upstashToken) problems.push("UPSTASH_REDIS_REST_TOKEN is required when UPSTASH_REDIS_REST_URL is set");
  if (!upstashUrl && upstashToken) problems.push("UPSTASH_REDIS_REST_URL is required when UPSTASH_REDIS_REST_TOKEN is set");
  if (e.RESEND_API_KEY && !e.EMAIL_FROM) problems.push("EMAIL_FROM is required when RESEND_API_KEY is set");

  if (!embeddedAllowed) {
    const missing = [
      !e.APP_URL && "APP_URL",
      !e.SESSION_SECRET && "SESSION_SECRET",
      !e.DATABASE_URL && "DATABASE_URL",
      !upstashUrl && "UPSTASH_REDIS_REST_URL (or KV_REST_API_URL)",
      !upstashToken && "UPSTASH_REDIS_REST_TOKEN (or KV_REST_API_TOKEN)",
      !e.RESEND_API_KEY && "RESEND_API_KEY",
      !e.EMAIL_FROM && "EMAIL_FROM",
    ].filter((v): v is string => Boolean(v));
    if (missing.length) {
      problems.push(
        `missing ${missing.join(", ")}. A production server needs real backends` +
          (onVercel ? " (on Vercel always)." : "; for a local trial set ALLOW_EMBEDDED=1 to use the embedded stand-ins."),
      );
    }
  }
  if (problems.length) throw new ConfigError(problems);

  const appUrl = new URL(e.APP_URL ?? "http://localhost:3000");
  const relatedOrigins = [...new Set((e.RP_ORIGINS ?? []).map((o) => new URL(o).origin))];
  const notices: string[] = [];
  if (!e.DATABASE_URL) notices.push(`database: embedded PGlite (${e.PGLITE_DIR ?? ".data/pglite"})`);
  if (!upstashUrl) notices.push("ephemeral store: in-process memory (single server only)");
  const production = e.NODE_ENV === "production";
  const outbox = !e.RESEND_API_KEY && (e.DEV_OUTBOX ? flag.parse(e.DEV_OUTBOX) : !production);
  const warnings: string[] = [];
  if (outbox) notices.push("mail: dev outbox (console and /dev/outbox)");
  else if (!e.RESEND_API_KEY) notices.push("mail: not sent and not kept (RESEND_API_KEY is unset; DEV_OUTBOX=1 keeps it at /dev/outbox)");
  if (outbox && production) {
    warnings.push("DEV_OUTBOX=1 on a production server: anyone who can reach this server can read every email at /dev/outbox, sign-in codes and links included. Use it only for a local trial.");
  }
  let sessionSecret = e.SESSION_SECRET;
  if (!sessionSecret) {
    sessionSecret = readDevSecret();
    notices.push("session secret: generated for development (.data/dev-session-secret)");
  }

  return {
    appUrl: appUrl.origin,
    origin: appUrl.origin,
    expectedOrigins: [...new Set([appUrl.origin, ...relatedOrigins])],
    relatedOrigins,
    rpID: appUrl.hostname,
    rpName: e.RP_NAME ?? "Passwordless",
    secure: appUrl.protocol === "https:",
    sessionSecret,
    embeddedAllowed,
    databaseUrl: e.DATABASE_URL ?? null,
    postgres: {
      max: e.DATABASE_POOL_MAX ?? 5,
      idleTimeoutSeconds: e.DATABASE_IDLE_TIMEOUT ?? 20,
      connectTimeoutSeconds: e.DATABASE_CONNECT_TIMEOUT ?? 10,
      prepare: e.DATABASE_PREPARE,
    },
    pgliteDir: e.PGLITE_DIR ?? ".data/pglite",
    upstash: upstashUrl && upstashToken ? { url: upstashUrl, token: upstashToken } : null,
    // The SDK appends "/emails": drop a trailing slash so it can't become "//emails".
    resend: e.RESEND_API_KEY ? { apiKey: e.RESEND_API_KEY, baseUrl: e.RESEND_BASE_URL?.replace(/\/+$/, "") } : null,
    resendWebhookSecret: e.RESEND_WEBHOOK_SECRET ?? null,
    outbox,
    emailFrom: e.EMAIL_FROM ?? "Passwordless <no-reply@localhost>",
    trustProxy: e.TRUST_PROXY === "vercel" || e.TRUST_PROXY === "xff" ? e.TRUST_PROXY : onVercel ? "vercel" : "none",
    notices,
    warnings,
  };
}

/** A random secret kept in .data/ so development cookies survive restarts without a shared default. */
function devSessionSecret(): string {
  // turbopackIgnore: a path the build can follow gets traced, and a developer's secret deployed.
  const file = path.join(/* turbopackIgnore: true */ process.cwd(), ".data", "dev-session-secret");
  try {
    const existing = readFileSync(file, "utf8").trim();
    if (existing.length >= 32) return existing;
  } catch {
    // first run: create it below
  }
  const secret = randomBytes(32).toString("base64url");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

const globalConfig = globalThis as unknown as { __passwordlessConfig?: Config };

/** The validated configuration, computed once per process. */
export function getConfig(): Config {
  globalConfig.__passwordlessConfig ??= loadConfig(process.env);
  return globalConfig.__passwordlessConfig;
}
