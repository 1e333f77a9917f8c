import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startPostgres, type PostgresServer } from "@/scripts/services";
import { pingDb } from "./client";
import { pointAppAtDatabase } from "@/test/app-database";

// The app's own PostgreSQL client (db/client.ts, default pool settings) across a PostgreSQL
// restart, as the soak does it (fast shutdown, then a start on the same port and data).

const SKIP_REASON = "PostgreSQL not found; install it (apt-get install postgresql) — .ci/run does";
/** DATABASE_POOL_MAX's default: one ping per connection, so every connection is used. */
const POOL = 5;
/** Back within this long after PostgreSQL answers again (each connection waits at most 1 s, then connects). */
const RECOVERY_MS = 3_000;

let pg: PostgresServer | null = null;

beforeAll(async () => {
  pg = await startPostgres({ port: await freePort(), logFile: path.join(os.tmpdir(), "db-client.services.postgres.log") });
  if (!pg) {
    console.warn(`client.services.test.ts skipped: ${SKIP_REASON}`);
    return;
  }
  pointAppAtDatabase(pg.url);
}, 60_000);

afterAll(async () => {
  await pg?.stop();
});

/** Milliseconds until a ping succeeds, retrying a failed one at once; null if not by `deadline`. */
async function untilPingAnswers(deadline: number): Promise<number | null> {
  const start = Date.now();
  while (Date.now() < deadline) {
    const answered = await Promise.race([
      pingDb().then(
        () => true,
        () => false,
      ),
      // A ping may wait in the client's reconnect delay: stop watching it at the deadline.
      delay(Math.max(0, deadline - Date.now()), false, { ref: false }),
    ]);
    if (answered) return Date.now() - start;
  }
  return null;
}

describe("the PostgreSQL client across a restart", () => {
  it("answers on every pooled connection within seconds of PostgreSQL accepting again", { timeout: 60_000 }, async (context) => {
    if (!pg) return context.skip(SKIP_REASON);
    await Promise.all(Array.from({ length: POOL }, () => pingDb()));

    // Requests during the outage: each is refused, and every refusal lengthens the delay
    // postgres.js puts before that connection's next attempt (by default up to 20 s).
    await pg.pause();
    let refused = 0;
    while (refused < 2 * POOL) {
      const pings = await Promise.allSettled(Array.from({ length: POOL }, () => pingDb()));
      refused += pings.filter((p) => p.status === "rejected").length;
    }

    await pg.resume();
    const deadline = Date.now() + 4 * RECOVERY_MS;
    const waits = await Promise.all(Array.from({ length: POOL }, () => untilPingAnswers(deadline)));
    const report = `ms until each of ${POOL} pings answered (null: not within ${4 * RECOVERY_MS} ms): ${waits.map(String).join(", ")}`;
    expect(waits.every((ms) => ms !== null && ms < RECOVERY_MS), report).toBe(true);
  });
});
