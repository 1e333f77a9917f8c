import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { describe, expect, it } from "vitest";
import { describeFailure, describeTarget, MigrationError, migrateDatabase } from "./migrate";

const target = { url: "postgres://app:p%40ss-w0rd-s3cret@db.example.com:6543/passwordless?sslmode=require", variable: "DATABASE_URL_UNPOOLED" };

/** A driver or server error as postgres.js raises it: an Error with a string code. */
function failure(code: string, message = `failure ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

function expectNoSecret(text: string): void {
  expect(text).not.toContain("p%40ss-w0rd-s3cret");
  expect(text).not.toContain("p@ss-w0rd-s3cret");
}

describe("describeFailure", () => {
  it.each([
    ["a refused connection with the host, port and variable", "ECONNREFUSED", "connect ECONNREFUSED 10.0.0.1:6543", ["Could not connect to PostgreSQL: connection refused by db.example.com:6543", "app@db.example.com:6543/passwordless (from DATABASE_URL_UNPOOLED)"]],
    ["an unknown host", "ENOTFOUND", "getaddrinfo ENOTFOUND db.example.com", ["host db.example.com not found"]],
    ["a timeout", "CONNECT_TIMEOUT", "write CONNECT_TIMEOUT db.example.com:6543", ["no answer from db.example.com:6543 within 10 s"]],
    ["a failed password for the user, without the password", "28P01", 'password authentication failed for user "app"', ['password authentication failed for user "app" (is the password in DATABASE_URL_UNPOOLED current?)']],
    ["the server's reason when it refuses the user", "28000", "connection is insecure (try using `sslmode=require`)", ['the server refused user "app": connection is insecure']],
    ["a missing database", "3D000", undefined, ['database "passwordless" does not exist on db.example.com']],
  ])("names %s", (_, code, message, expected) => {
    const text = describeFailure("connect", failure(code, message), target);
    for (const part of expected) expect(text).toContain(part);
    expectNoSecret(text);
  });

  it("reports a failing migration by the driver's error inside drizzle's wrapper", () => {
    const wrapped = new Error("Failed query: create table users (...)", { cause: failure("42P07", 'relation "users" already exists') });
    const text = describeFailure("migrate", wrapped, target);
    expect(text).toContain('A migration failed, and none of this run\'s migrations were applied: relation "users" already exists (42P07)');
    expect(text).not.toContain("Failed query");
  });

  it("removes the URL and password if a message echoes them", () => {
    const text = describeFailure("connect", new Error(`cannot use ${target.url} or p@ss-w0rd-s3cret`), target);
    expect(text).toContain("cannot use [DATABASE URL] or ***");
    expectNoSecret(text);
  });
});

describe("describeTarget", () => {
  it("fills in what the URL leaves to the defaults", () => {
    expect(describeTarget("postgresql://localhost")).toBe("(default user)@localhost:5432/(default database)");
  });
});

describe("migrateDatabase", () => {
  it("rejects a value that is not a postgres URL without repeating it", async () => {
    const attempt = migrateDatabase({ url: "mysql://root:hunter2@db/app", variable: "DATABASE_URL" });
    await expect(attempt).rejects.toThrow(new MigrationError("DATABASE_URL is not a postgres:// or postgresql:// URL."));
  });

  it("names a real refused connection", async () => {
    const port = await closedPort();
    const attempt = migrateDatabase({ url: `postgres://app:hunter2@127.0.0.1:${port}/passwordless`, variable: "DATABASE_URL" });
    await expect(attempt).rejects.toThrow(`Could not connect to PostgreSQL: connection refused by 127.0.0.1:${port}`);
    await expect(attempt).rejects.not.toThrow("hunter2");
  });
});

describe("migrations that move data", () => {
  it("0007 keeps every known device as a device note, and the notes that were there", async () => {
    const client = await PGlite.create("memory://");
    const db = drizzle({ client });
    const upTo6 = migrationsUpTo(6);
    await migrate(db, { migrationsFolder: upTo6 });
    rmSync(upTo6, { recursive: true });
    await client.exec(`
      insert into users (id, username, email, webauthn_user_id, email_verified_at) values
        ('00000000-0000-4000-8000-000000000001', 'a', 'a@example.test', 'w1', now()), ('00000000-0000-4000-8000-000000000002', 'b', 'b@example.test', 'w2', now());
      insert into known_devices (user_id, device_hash) values
        ('00000000-0000-4000-8000-000000000001', 'd1'), ('00000000-0000-4000-8000-000000000002', 'd1'), ('00000000-0000-4000-8000-000000000001', 'd2');
      insert into device_notes (device_hash, user_id, never, here) values ('d1', '00000000-0000-4000-8000-000000000001', true, 'f1');`);
    await migrate(db, { migrationsFolder: path.join(process.cwd(), "db", "migrations") });
    const notes = await client.query("select device_hash, right(user_id::text, 1) as user, never, here from device_notes order by 1, 2");
    expect(notes.rows).toEqual([
      { device_hash: "d1", user: "1", never: true, here: "f1" },
      { device_hash: "d1", user: "2", never: false, here: null },
      { device_hash: "d2", user: "1", never: false, here: null },
    ]);
    await client.close();
  });
});

/** A copy of db/migrations holding its first migrations up to `last` (the journal's idx). */
function migrationsUpTo(last: number): string {
  const from = path.join(process.cwd(), "db", "migrations");
  const to = mkdtempSync(path.join(os.tmpdir(), "migrations-"));
  cpSync(from, to, { recursive: true });
  const journalPath = path.join(to, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { idx: number }[] };
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.filter((e) => e.idx <= last) }));
  return to;
}

/** A loopback port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
