import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

/**
 * Applies db/migrations to a PostgreSQL database (`npm run db:migrate`, and on Vercel at every
 * deploy), with the same bookkeeping as drizzle-kit (drizzle.__drizzle_migrations). Unlike
 * drizzle-kit, a failure says what failed and where, never with the password.
 */

export class MigrationError extends Error {
  override name = "MigrationError";
}

/** Where the migrations go: the URL and the variable it came from, for messages. */
export type Target = { url: string; variable: string };

const CONNECT_TIMEOUT_SECONDS = 10;

export async function migrateDatabase(target: Target, migrationsFolder = "db/migrations"): Promise<void> {
  if (!URL.canParse(target.url) || !/^postgres(ql)?:$/.test(new URL(target.url).protocol)) {
    // The value itself may hold a password: name the variable only.
    throw new MigrationError(`${target.variable} is not a postgres:// or postgresql:// URL.`);
  }
  const client = postgres(target.url, { max: 1, connect_timeout: CONNECT_TIMEOUT_SECONDS, onnotice: () => {} });
  try {
    // Connect first, so "can't reach the database" and "a migration failed" read differently.
    try {
      await client`select 1`;
    } catch (error) {
      throw new MigrationError(describeFailure("connect", error, target));
    }
    try {
      await migrate(drizzle({ client }), { migrationsFolder });
    } catch (error) {
      throw new MigrationError(describeFailure("migrate", error, target));
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** "user@host:port/database" without the password. */
export function describeTarget(url: string): string {
  const u = new URL(url);
  const user = decodeURIComponent(u.username) || "(default user)";
  const database = decodeURIComponent(u.pathname.slice(1)) || "(default database)";
  return `${user}@${u.hostname || "localhost"}:${u.port || "5432"}/${database}`;
}

/** Pure: one line saying what went wrong, where, and what to check. Never contains the password. */
export function describeFailure(stage: "connect" | "migrate", error: unknown, target: Target): string {
  const u = new URL(target.url);
  const host = u.hostname || "localhost";
  const port = u.port || "5432";
  const user = decodeURIComponent(u.username) || "(default user)";
  const where = `${describeTarget(target.url)} (from ${target.variable})`;
  const { code, message } = errorFields(error);

  let reason: string;
  switch (code) {
    case "ECONNREFUSED":
      reason = `connection refused by ${host}:${port}: nothing accepts connections there (is the database running, and are host and port right?)`;
      break;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      reason = `host ${host} not found (DNS lookup failed; is the host name right?)`;
      break;
    case "CONNECT_TIMEOUT":
    case "ETIMEDOUT":
      reason = `no answer from ${host}:${port} within ${CONNECT_TIMEOUT_SECONDS} s (a firewall or IP allow-list, or a database that is asleep or gone?)`;
      break;
    case "ECONNRESET":
      reason = `${host}:${port} closed the connection (does the server require TLS? add ?sslmode=require)`;
      break;
    case "28P01":
      reason = `password authentication failed for user "${user}" (is the password in ${target.variable} current?)`;
      break;
    case "28000":
      reason = `the server refused user "${user}": ${message}`;
      break;
    case "3D000":
      reason = `database "${decodeURIComponent(u.pathname.slice(1))}" does not exist on ${host}`;
      break;
    default:
      reason = code ? `${message} (${code})` : message;
  }
  const lead = stage === "connect" ? "Could not connect to PostgreSQL" : "A migration failed, and none of this run's migrations were applied";
  return redact(`${lead}: ${reason}. Database: ${where}.`, target.url);
}

function errorFields(error: unknown): { code: string | undefined; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    // drizzle wraps driver errors ("Failed query: …") and keeps the driver's in `cause`.
    const cause = error.cause instanceof Error && typeof code !== "string" ? errorFields(error.cause) : null;
    if (cause?.code) return cause;
    return { code: typeof code === "string" ? code : undefined, message: error.message };
  }
  return { code: undefined, message: String(error) };
}

/** Belt and braces: a server or driver message that echoes the URL or password loses it. */
function redact(text: string, url: string): string {
  const password = new URL(url).password;
  let out = text.split(url).join("[DATABASE URL]");
  if (password) {
    for (const form of new Set([password, decodeURIComponent(password)])) out = out.split(form).join("***");
  }
  return out;
}
