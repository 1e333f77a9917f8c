import { describe, expect, it } from "vitest";
import { issueChallenge, spendChallenge } from "./challenge";

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const issue = (purpose: "sign-in" | "confirm", user: string | null, now = Date.now()) => b64(issueChallenge(purpose, user, 300, now));

describe("stateless challenges", () => {
  it("a fresh one is accepted once, for anyone when issued for anyone", async () => {
    const spent = await spendChallenge(issue("sign-in", null), "sign-in");
    expect(spent.ok && spent.spent.anyone).toBe(true);
    expect(spent.ok && spent.spent.isFor("u-1")).toBe(true);
  });

  it("replaying a spent one is refused", async () => {
    const challenge = issue("sign-in", null);
    expect((await spendChallenge(challenge, "sign-in")).ok).toBe(true);
    expect(await spendChallenge(challenge, "sign-in")).toMatchObject({ ok: false, error: "challenge_expired", refusal: "spent" });
  });

  it("of concurrent spends of one challenge, exactly one succeeds", async () => {
    const challenge = issue("confirm", "u-1");
    const results = await Promise.all(Array.from({ length: 10 }, () => spendChallenge(challenge, "confirm")));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("an expired one is refused (and not spent: it costs no write)", async () => {
    const issuedAt = Date.now() - 301_000;
    const challenge = issue("sign-in", null, issuedAt);
    expect(await spendChallenge(challenge, "sign-in")).toMatchObject({ ok: false, error: "challenge_expired", refusal: "expired" });
    // Still valid a second before its end, at that time.
    expect((await spendChallenge(challenge, "sign-in", issuedAt + 299_000)).ok).toBe(true);
  });

  it("one for another purpose is refused", async () => {
    expect(await spendChallenge(issue("confirm", "u-1"), "sign-in")).toMatchObject({ ok: false, error: "challenge_expired", refusal: "wrong_purpose" });
    expect(await spendChallenge(issue("sign-in", null), "confirm")).toMatchObject({ ok: false, error: "challenge_expired", refusal: "wrong_purpose" });
  });

  it("one for another user is for that user only; 'none' is for nobody", async () => {
    const spent = await spendChallenge(issue("sign-in", "u-1"), "sign-in");
    expect(spent.ok && spent.spent.anyone).toBe(false);
    expect(spent.ok && spent.spent.isFor("u-1")).toBe(true);
    expect(spent.ok && spent.spent.isFor("u-2")).toBe(false);
    const none = await spendChallenge(issue("sign-in", "none"), "sign-in");
    expect(none.ok && (none.spent.anyone || none.spent.isFor("u-1"))).toBe(false);
  });

  it("a forged or altered one is refused: a changed byte anywhere, a later expiry, another purpose, no user", async () => {
    const raw = Buffer.from(issueChallenge("sign-in", "u-1", 300));
    for (const at of [5, 18, 21, 30, raw.length - 1]) {
      const altered = Buffer.from(raw);
      altered[at]! ^= 1;
      expect(await spendChallenge(altered.toString("base64url"), "sign-in")).toMatchObject({ ok: false, refusal: "forged" });
    }
    const anyone = Buffer.from(raw);
    anyone.fill(0, 22, 38);
    expect(await spendChallenge(anyone.toString("base64url"), "sign-in")).toMatchObject({ ok: false, error: "challenge_expired", refusal: "forged" });
  });

  it("anything not shaped like one is refused as malformed", async () => {
    for (const bad of ["", "abc", "A".repeat(94), b64(issueChallenge("sign-in", null, 300)).slice(1)]) {
      expect(await spendChallenge(bad, "sign-in")).toMatchObject({ ok: false, refusal: "malformed" });
    }
  });

  it("the user tag says nothing: two challenges for one person differ, and 'none' looks like anyone else", () => {
    const tag = (c: Uint8Array) => b64(c.subarray(22, 38));
    expect(tag(issueChallenge("sign-in", "u-1", 300))).not.toBe(tag(issueChallenge("sign-in", "u-1", 300)));
    expect(tag(issueChallenge("sign-in", "none", 300))).not.toBe(tag(issueChallenge("sign-in", "none", 300)));
  });
});
