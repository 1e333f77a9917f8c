/**
 * Points the app at another database, for *.services.test.ts: its configuration and database
 * handle are read once per process, so both are dropped and read again from DATABASE_URL.
 */
export function pointAppAtDatabase(url: string): void {
  process.env.DATABASE_URL = url;
  const globals = globalThis as { __passwordlessConfig?: unknown; __passwordlessDb?: unknown };
  globals.__passwordlessConfig = undefined;
  globals.__passwordlessDb = undefined;
}
