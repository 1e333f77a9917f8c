import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./env";

const devSecret = () => "generated-development-secret-0123456789";
const real = {
  NODE_ENV: "production",
  APP_URL: "https://auth.example.com",
  SESSION_SECRET: "s".repeat(32),
  DATABASE_URL: "postgres://u:p@db.example.com:5432/app",
  UPSTASH_REDIS_REST_URL: "https://eu1.upstash.io",
  UPSTASH_REDIS_REST_TOKEN: "token",
  RESEND_API_KEY: "re_123",
  EMAIL_FROM: "Acme <auth@acme.com>",
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env, devSecret);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  it("uses the embedded stand-ins in development, with RP ID and origin from the default APP_URL", () => {
    const config = loadConfig({ NODE_ENV: "development" }, devSecret);
    expect(config).toMatchObject({ origin: "http://localhost:3000", rpID: "localhost", secure: false, databaseUrl: null, upstash: null, resend: null, embeddedAllowed: true });
    expect(config.sessionSecret).toBe(devSecret());
    expect(config.notices.join("\n")).toMatch(/PGlite[\s\S]*memory[\s\S]*outbox[\s\S]*session secret/);
  });

  it("refuses a production start without real backends, naming every missing variable in one message", () => {
    const [message, ...rest] = problems({ NODE_ENV: "production" });
    expect(rest).toEqual([]);
    for (const name of ["APP_URL", "SESSION_SECRET", "DATABASE_URL", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "RESEND_API_KEY", "EMAIL_FROM", "ALLOW_EMBEDDED=1"]) {
      expect(message).toContain(name);
    }
  });

  it("keeps mail in the dev outbox under next dev, and in a production start only with DEV_OUTBOX=1, loudly", () => {
    expect(loadConfig({ NODE_ENV: "development" }, devSecret)).toMatchObject({ outbox: true, warnings: [] });
    const quiet = loadConfig({ NODE_ENV: "production", ALLOW_EMBEDDED: "1" }, devSecret);
    expect(quiet).toMatchObject({ outbox: false, warnings: [] });
    expect(quiet.notices.join("\n")).toContain("DEV_OUTBOX=1");
    const opted = loadConfig({ NODE_ENV: "production", ALLOW_EMBEDDED: "1", DEV_OUTBOX: "1" }, devSecret);
    expect(opted.outbox).toBe(true);
    expect(opted.warnings.join("\n")).toContain("anyone who can reach this server can read every email");
    expect(loadConfig({ NODE_ENV: "development", DEV_OUTBOX: "0" }, devSecret).outbox).toBe(false);
    // Real mail wins: no outbox beside Resend, whatever DEV_OUTBOX says.
    expect(loadConfig({ ...real, DEV_OUTBOX: "1" }, devSecret)).toMatchObject({ outbox: false, warnings: [] });
  });

  it("lets ALLOW_EMBEDDED=1 opt a production start into the stand-ins, but never on Vercel", () => {
    expect(loadConfig({ NODE_ENV: "production", ALLOW_EMBEDDED: "1" }, devSecret).embeddedAllowed).toBe(true);
    expect(problems({ NODE_ENV: "production", ALLOW_EMBEDDED: "1", VERCEL: "1" })[0]).toContain("on Vercel always");
  });

  it("takes real backends from the environment, Vercel's KV names included", () => {
    const config = loadConfig(real, devSecret);
    expect(config).toMatchObject({ origin: "https://auth.example.com", rpID: "auth.example.com", secure: true, upstash: { url: "https://eu1.upstash.io", token: "token" }, notices: [] });
    const vercelKv = { ...real, UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined };
    expect(loadConfig({ ...vercelKv, KV_REST_API_URL: "https://kv.example.com", KV_REST_API_TOKEN: "kv" }, devSecret).upstash).toEqual({ url: "https://kv.example.com", token: "kv" });
  });

  it.each([
    ["APP_URL", "not a url", "APP_URL"],
    ["APP_URL", "ftp://example.com", "APP_URL"],
    ["APP_URL", "https://example.com/app", "APP_URL must be an origin"],
    ["SESSION_SECRET", "short", "SESSION_SECRET must be at least 32 characters"],
    ["DATABASE_URL", "mysql://x/y", "DATABASE_URL must be a postgres"],
    ["EMAIL_FROM", "nobody", "EMAIL_FROM must be an address"],
    ["ALLOW_EMBEDDED", "maybe", "ALLOW_EMBEDDED"],
  ])("names the variable when %s=%j is invalid", (name, value, expected) => {
    expect(problems({ ...real, [name]: value }).join("\n")).toContain(expected);
  });

  it("accepts related origins for WebAuthn, APP_URL's origin always first", () => {
    expect(loadConfig(real, devSecret)).toMatchObject({ expectedOrigins: ["https://auth.example.com"], relatedOrigins: [] });
    const config = loadConfig({ ...real, RP_ORIGINS: " https://auth.example.de/ , https://auth.example.co.uk,https://auth.example.de,https://auth.example.com" }, devSecret);
    expect(config.relatedOrigins).toEqual(["https://auth.example.de", "https://auth.example.co.uk", "https://auth.example.com"]);
    expect(config.expectedOrigins).toEqual(["https://auth.example.com", "https://auth.example.de", "https://auth.example.co.uk"]);
    expect(config.rpID).toBe("auth.example.com");
  });

  it.each(["auth.example.de", "https://auth.example.de/login", "ftp://auth.example.de"])("names RP_ORIGINS when an entry (%s) is not an origin", (entry) => {
    const [message] = problems({ ...real, RP_ORIGINS: `https://ok.example,${entry}` });
    expect(message).toContain("RP_ORIGINS must list http(s) origins");
    expect(message).toContain(JSON.stringify(entry));
  });

  it("takes postgres.js pool settings from the environment, with defaults that suit a serverless function", () => {
    expect(loadConfig(real, devSecret).postgres).toEqual({ max: 5, idleTimeoutSeconds: 20, connectTimeoutSeconds: 10, prepare: true });
    const tuned = { ...real, DATABASE_POOL_MAX: "1", DATABASE_IDLE_TIMEOUT: "0", DATABASE_CONNECT_TIMEOUT: "3", DATABASE_PREPARE: "0" };
    expect(loadConfig(tuned, devSecret).postgres).toEqual({ max: 1, idleTimeoutSeconds: 0, connectTimeoutSeconds: 3, prepare: false });
    expect(loadConfig({ ...real, DATABASE_PREPARE: "false" }, devSecret).postgres.prepare).toBe(false);
    expect(loadConfig({ ...real, DATABASE_PREPARE: "1" }, devSecret).postgres.prepare).toBe(true);
  });

  it.each([
    ["DATABASE_POOL_MAX", "0", "DATABASE_POOL_MAX must be at least 1"],
    ["DATABASE_POOL_MAX", "five", "DATABASE_POOL_MAX must be a whole number"],
    ["DATABASE_IDLE_TIMEOUT", "-1", "DATABASE_IDLE_TIMEOUT must be a whole number"],
    ["DATABASE_CONNECT_TIMEOUT", "61", "DATABASE_CONNECT_TIMEOUT must be at most 60"],
    ["DATABASE_PREPARE", "off", "DATABASE_PREPARE"],
  ])("names the pool setting when %s=%j is invalid", (name, value, expected) => {
    expect(problems({ ...real, [name]: value }).join("\n")).toContain(expected);
  });

  it("rejects half of a pair", () => {
    expect(problems({ NODE_ENV: "development", UPSTASH_REDIS_REST_URL: "https://x.upstash.io" })).toEqual(["UPSTASH_REDIS_REST_TOKEN is required when UPSTASH_REDIS_REST_URL is set"]);
    expect(problems({ NODE_ENV: "development", RESEND_API_KEY: "re_1" })).toEqual(["EMAIL_FROM is required when RESEND_API_KEY is set"]);
  });

  it("drops a trailing slash from RESEND_BASE_URL", () => {
    expect(loadConfig({ ...real, RESEND_BASE_URL: "http://127.0.0.1:3999/" }, devSecret).resend?.baseUrl).toBe("http://127.0.0.1:3999");
  });
});
