import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS, insertSession, isFresh, markReauthenticated, RISKY_CHANGE, unmetNeed, validateSessionToken } from "./session";
import { createVerifiedUser } from "./users";

let userId = "";
const DAY = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  await getDb();
  const created = await createVerifiedUser({ username: `sess_${Date.now()}`, email: `sess.${Date.now()}@example.test`, name: null });
  if (!created.ok) throw new Error(created.error);
  userId = created.user.id;
}, 60_000);

describe("sessions", () => {
  it("stores only a hash of the token, and finds the session by the token", async () => {
    const t0 = new Date("2026-01-01T00:00:00Z");
    const { token } = await insertSession({ userId, method: "passkey", userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0" }, t0);
    const found = await validateSessionToken(token, t0);
    expect(found?.user.id).toBe(userId);
    expect(found?.session.id).not.toBe(token);
    expect(found?.session.userAgent).toBe("Firefox on Linux");
    expect(await validateSessionToken(`${token}x`, t0)).toBeNull();
  });

  it("ends after 14 idle days, and activity keeps it alive", async () => {
    const t0 = new Date("2026-01-01T00:00:00Z");
    const { token } = await insertSession({ userId, method: "email" }, t0);
    expect(await validateSessionToken(token, new Date(t0.getTime() + 13 * DAY))).not.toBeNull();
    expect(await validateSessionToken(token, new Date(t0.getTime() + 26 * DAY))).not.toBeNull();
    expect(await validateSessionToken(token, new Date(t0.getTime() + 26 * DAY + IDLE_TIMEOUT_MS))).toBeNull();
    // Gone for good: the expired row was deleted.
    expect(await validateSessionToken(token, new Date(t0.getTime() + 27 * DAY))).toBeNull();
  });

  it("ends after 30 days however active", async () => {
    const t0 = new Date("2026-01-01T00:00:00Z");
    const { token } = await insertSession({ userId, method: "passkey" }, t0);
    for (let day = 5; day < 30; day += 5) expect(await validateSessionToken(token, new Date(t0.getTime() + day * DAY))).not.toBeNull();
    expect(await validateSessionToken(token, new Date(t0.getTime() + ABSOLUTE_TIMEOUT_MS))).toBeNull();
  });

  it("counts as fresh for 10 minutes after sign-in", async () => {
    const t0 = new Date("2026-01-01T00:00:00Z");
    const { token } = await insertSession({ userId, method: "email" }, t0);
    const { session } = (await validateSessionToken(token, t0))!;
    expect(isFresh(session, new Date(t0.getTime() + 9 * 60 * 1000))).toBe(true);
    expect(isFresh(session, new Date(t0.getTime() + 10 * 60 * 1000))).toBe(false);
  });

  it("is fresh again for 10 minutes after confirming it's you", async () => {
    const t0 = new Date("2026-01-01T00:00:00Z");
    const { token } = await insertSession({ userId, method: "email" }, t0);
    const later = new Date(t0.getTime() + 60 * 60 * 1000);
    await markReauthenticated((await validateSessionToken(token, t0))!.session.id, null, later);
    const { session } = (await validateSessionToken(token, later))!;
    expect(isFresh(session, new Date(later.getTime() + 9 * 60 * 1000))).toBe(true);
    expect(isFresh(session, new Date(later.getTime() + 11 * 60 * 1000))).toBe(false);
  });

  it("one guard: the first unmet need, hold before freshness, and nothing for needs not asked", async () => {
    const t0 = new Date("2026-01-01T00:00:00Z");
    const { token } = await insertSession({ userId, method: "email", heldUntil: new Date(t0.getTime() + 24 * 60 * 60 * 1000) }, t0);
    const { session } = (await validateSessionToken(token, t0))!;
    const stale = new Date(t0.getTime() + 11 * 60 * 1000);
    expect(unmetNeed(session, RISKY_CHANGE, t0)).toBe("on_hold");
    expect(unmetNeed(session, ["fresh"], t0)).toBeNull();
    expect(unmetNeed(session, ["fresh"], stale)).toBe("reauth_required");
    expect(unmetNeed(session, RISKY_CHANGE, stale)).toBe("on_hold");
    expect(unmetNeed(session, [], stale)).toBeNull();
    const afterHold = new Date(t0.getTime() + 25 * 60 * 60 * 1000);
    expect(unmetNeed(session, RISKY_CHANGE, afterHold)).toBe("reauth_required");
  });
});
