/**
 * `npm run db:migrate`, and the first half of `vercel-build`: applies db/migrations over
 * DATABASE_URL_UNPOOLED when set (Neon's integration sets it: DDL has no business going through a
 * transaction-mode pooler), else DATABASE_URL. Exits 1 with a message naming what failed.
 */
import { MigrationError, migrateDatabase, type Target } from "../db/migrate";

function target(): Target | null {
  for (const variable of ["DATABASE_URL_UNPOOLED", "DATABASE_URL"]) {
    const url = process.env[variable]?.trim();
    if (url) return { url, variable };
  }
  return null;
}

async function main(): Promise<void> {
  const to = target();
  if (!to) {
    throw new MigrationError("Neither DATABASE_URL_UNPOOLED nor DATABASE_URL is set: nothing to migrate. On Vercel, connect a Postgres integration (see README, Deploying to Vercel).");
  }
  const started = Date.now();
  await migrateDatabase(to);
  console.log(`Migrations applied (${to.variable}, ${Date.now() - started} ms).`);
}

main().catch((error: unknown) => {
  // Our own messages carry no secrets; anything else is unexpected and printed in full.
  console.error(error instanceof MigrationError ? `\n${error.message}\n` : error);
  process.exit(1);
});
