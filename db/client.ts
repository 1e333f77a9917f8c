import "server-only";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { getConfig } from "@/lib/env";
import * as schema from "./schema";

/** One handle type for the rest of the code, whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

type Handle = { db: Db; ping: () => Promise<void>; kind: "pglite" | "postgres" };

const globalDb = globalThis as unknown as { __passwordlessDb?: Promise<Handle> };

async function open(): Promise<Handle> {
  const config = getConfig();
  if (config.databaseUrl) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    // Sized for serverless (see README "Configuration"): a few connections per instance, closed
    // when idle, and no prepared statements behind a transaction-mode pooler (DATABASE_PREPARE=0).
    const { max, idleTimeoutSeconds, connectTimeoutSeconds, prepare } = config.postgres;
    const client = postgres(config.databaseUrl, { max, idle_timeout: idleTimeoutSeconds, connect_timeout: connectTimeoutSeconds, prepare, backoff: reconnectDelaySeconds });
    const db = drizzle({ client, schema }) as unknown as Db;
    return { db, kind: "postgres", ping: async () => void (await client`select 1`) };
  }

  // Embedded: PGlite in .data/ (or memory://), migrated by the app itself on first use.
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const dir = config.pgliteDir;
  if (!dir.startsWith("memory://")) mkdirSync(path.resolve(dir), { recursive: true });
  // initdb picks shared_buffers=128MB, which PGlite allocates and zeroes inside its WASM heap
  // (~125 MB of RSS); the embedded database is small, and 16MB holds its working set.
  const startParams = [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"];
  const client = await PGlite.create(dir.startsWith("memory://") ? dir : path.resolve(dir), { startParams });
  const db = drizzle({ client, schema });
  await migrate(db, { migrationsFolder: path.join(process.cwd(), "db", "migrations") });
  return { db: db as unknown as Db, kind: "pglite", ping: async () => void (await client.query("select 1")) };
}

/**
 * Seconds a pooled connection waits before its next connection attempt, after `failures` failed
 * attempts since the last success (postgres.js counts them across the whole pool).
 * postgres.js's own curve with a 1-s ceiling instead of 20 s: a connection that failed during an
 * outage keeps its delay after the database is back, so requests waited up to 20 s for nothing
 * (the soak's 10.5-s recovery). Attempts are made only for queries, so 1 s still spaces them out.
 */
function reconnectDelaySeconds(failures: number): number {
  return (0.5 + Math.random() / 2) * Math.min(3 ** failures / 100, 1);
}

function handle(): Promise<Handle> {
  globalDb.__passwordlessDb ??= open().catch((error: unknown) => {
    // Let the next request try again (e.g. Postgres was down at first use).
    globalDb.__passwordlessDb = undefined;
    throw error;
  });
  return globalDb.__passwordlessDb;
}

export async function getDb(): Promise<Db> {
  return (await handle()).db;
}

export async function pingDb(): Promise<"pglite" | "postgres"> {
  const h = await handle();
  await h.ping();
  return h.kind;
}

/** True for a unique-constraint violation from either driver (drizzle may wrap it in `cause`). */
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    if ((e as { code?: unknown }).code === "23505") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export { schema };
