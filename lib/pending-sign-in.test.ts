import { afterEach, describe, expect, it, vi } from "vitest";
import { TestBrowser } from "@/test/browser";
import { kv } from "./kv";
import {
  SHORT_CODE_PATTERN,
  approvePendingSignIn,
  askerPendingId,
  claimPendingSignIn,
  peekPendingSignIn,
  pendingSignInStatus,
  refusePendingSignIn,
  startPendingSignIn,
} from "./pending-sign-in";

const approval = { userId: "user-1", method: "passkey" as const, passkeyId: "pk-1" };

async function start(kind: "email" | "qr" = "qr", userId: string | null = null, ttl = 120) {
  const asker = new TestBrowser();
  const started = await asker.run(() => startPendingSignIn(kind, { userId, requestedBy: "Chrome on Linux" }, ttl));
  return { asker, ...started };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("pending sign-in", () => {
  it("gives the asker a secret id in its cookie and a separate public code; the store holds neither id in clear", async () => {
    const { asker, id, code } = await start();
    expect(code).toMatch(SHORT_CODE_PATTERN);
    expect(asker.cookie("pending-qr")).toBe(id);
    expect(await asker.run(() => askerPendingId("qr"))).toBe(id);
    expect(id).not.toContain(code);
    expect(await kv().get(`pending:qr:asker:${id}`)).toBeNull();
    expect(await peekPendingSignIn("qr", code)).toMatchObject({ userId: null, requestedBy: "Chrome on Linux" });
    expect(await pendingSignInStatus("qr", id)).toBe("waiting");
    // The public code is no handle for the status or the claim.
    expect(await pendingSignInStatus("qr", code)).toBe("expired");
  });

  it("is approved once, then claimed once by the asker only, with the approval it was given", async () => {
    const { asker, id, code } = await start();
    const results = await Promise.all(Array.from({ length: 5 }, () => approvePendingSignIn("qr", code, approval)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual(Array(4).fill({ ok: false, error: "sign_in_request_expired" }));
    expect(await peekPendingSignIn("qr", code)).toBeNull();
    expect(await pendingSignInStatus("qr", id)).toBe("approved");

    // Another browser that learned the id (its cookie set by hand) still can't claim without the asker's cookie.
    const thief = new TestBrowser();
    expect(await thief.run(() => claimPendingSignIn("qr", id))).toEqual({ ok: false, error: "sign_in_request_expired" });

    const claims = await asker.run(() => Promise.all([claimPendingSignIn("qr", id), claimPendingSignIn("qr", id)]));
    expect(claims.filter((c) => c.ok)).toEqual([{ ok: true, approval, request: { userId: null, requestedBy: "Chrome on Linux", number: undefined } }]);
    expect(asker.cookie("pending-qr")).toBeUndefined();
    expect(await pendingSignInStatus("qr", id)).toBe("used");
    expect(await approvePendingSignIn("qr", code, approval)).toEqual({ ok: false, error: "sign_in_request_expired" });
  });

  it("a refusal ends it: no approval after, nothing to claim", async () => {
    const { asker, id, code } = await start("email", "user-1");
    expect(await refusePendingSignIn("email", code)).toBe(true);
    expect(await refusePendingSignIn("email", code)).toBe(false);
    expect(await pendingSignInStatus("email", id)).toBe("refused");
    expect(await approvePendingSignIn("email", code, approval)).toEqual({ ok: false, error: "sign_in_request_expired" });
    expect(await asker.run(() => claimPendingSignIn("email", id))).toEqual({ ok: false, error: "sign_in_request_expired" });
  });

  it("a request naming an account is approved only for that account, and a wrong one doesn't use it up", async () => {
    const { id, code } = await start("qr", "user-1");
    expect(await approvePendingSignIn("qr", code, { ...approval, userId: "user-2" })).toEqual({ ok: false, error: "not_this_account" });
    expect(await pendingSignInStatus("qr", id)).toBe("waiting");
    expect(await approvePendingSignIn("qr", code, approval)).toEqual({ ok: true });
  });

  it("expires with its TTL: no approval, the asker sees expired", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { asker, id, code } = await start("qr", null, 120);
    vi.setSystemTime(Date.now() + 121_000);
    expect(await peekPendingSignIn("qr", code)).toBeNull();
    expect(await approvePendingSignIn("qr", code, approval)).toEqual({ ok: false, error: "sign_in_request_expired" });
    expect(await pendingSignInStatus("qr", id)).toBe("expired");
    expect(await asker.run(() => claimPendingSignIn("qr", id))).toEqual({ ok: false, error: "sign_in_request_expired" });
  });

  it("reading never writes", async () => {
    const { id, code } = await start();
    const store = kv();
    const writes = [vi.spyOn(store, "set"), vi.spyOn(store, "increment"), vi.spyOn(store, "take"), vi.spyOn(store, "del")];
    await peekPendingSignIn("qr", code);
    await pendingSignInStatus("qr", id);
    await peekPendingSignIn("qr", "not-a-code");
    for (const spy of writes) expect(spy).not.toHaveBeenCalled();
    for (const spy of writes) spy.mockRestore();
  });
});
