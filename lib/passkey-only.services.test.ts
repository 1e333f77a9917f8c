import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "@/db/migrate";
import { freePort, startPostgres, type PostgresServer } from "@/scripts/services";
import { addSoftPasskey, newUser, signedInBrowser } from "@/test/factories";
import { removeAccountPasskey } from "./account-passkeys";
import { setPasskeyOnly } from "./passkey-only";
import { listPasskeys } from "./passkeys";
import { findUserById } from "./users";
import { pointAppAtDatabase } from "@/test/app-database";

// On a real PostgreSQL, where two requests' transactions do run at once (PGlite has one
// connection, so it takes them in turn and can't show the race).

const SKIP_REASON = "PostgreSQL not found; install it (apt-get install postgresql) — .ci/run does";

let pg: PostgresServer | null = null;

beforeAll(async () => {
  pg = await startPostgres({ port: await freePort(), logFile: path.join(os.tmpdir(), "passkey-only.services.postgres.log") });
  if (!pg) {
    console.warn(`passkey-only.services.test.ts skipped: ${SKIP_REASON}`);
    return;
  }
  await migrateDatabase({ url: pg.url, variable: "DATABASE_URL" });
  pointAppAtDatabase(pg.url);
}, 60_000);

afterAll(async () => {
  await pg?.stop();
});

describe("passkey-only mode on PostgreSQL", () => {
  it("keeps its minimum when removals, or a removal and turning it on, arrive at once", async (context) => {
    if (!pg) return context.skip(SKIP_REASON);
    for (let round = 0; round < 5; round++) {
      const user = await newUser();
      const passkeys = [await addSoftPasskey(user), await addSoftPasskey(user), await addSoftPasskey(user)].map((p) => p.passkey);
      const browser = await signedInBrowser(user, { method: "passkey", passkeyId: passkeys[0]!.id });
      expect(await browser.run(() => setPasskeyOnly(true))).toEqual({ ok: true, on: true });

      // Three passkeys, a minimum of two: of two removals at once, one is refused.
      const removals = await Promise.all(passkeys.slice(1).map((p) => browser.run(() => removeAccountPasskey(p.id))));
      expect(removals.filter((r) => !r.ok)).toEqual([{ ok: false, error: "passkey_only_minimum" }]);
      expect(await listPasskeys(user.id)).toHaveLength(2);

      // Off, then on again while one of the two is removed: exactly one of them happens.
      expect(await browser.run(() => setPasskeyOnly(false))).toEqual({ ok: true, on: false });
      const [turnedOn, removed] = await Promise.all([browser.run(() => setPasskeyOnly(true)), browser.run(() => removeAccountPasskey(passkeys[0]!.id))]);
      expect(turnedOn.ok !== removed.ok, JSON.stringify({ turnedOn, removed })).toBe(true);
      const on = (await findUserById(user.id))!.emailSigninDisabled;
      expect(on ? (await listPasskeys(user.id)).length : 2).toBe(2);
    }
  });
});
