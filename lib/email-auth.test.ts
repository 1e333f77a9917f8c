import { eq } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import { newUser } from "@/test/factories";
import { SoftCredential } from "@/test/soft-authenticator";
import { consumeEmailSignIn, EMAIL_SIGNIN_TTL_SECONDS, pendingEmailSignIn, requestEmailSignIn } from "./email-auth";
import { MAX_ACCOUNT_CODE_FAILURES } from "./emailed-proof";
import { kv } from "./kv";
import { listOutbox } from "./mail";
import { beginAuthentication, beginRegistration, finishAuthentication, finishRegistration } from "./passkeys";

/** Asks as a browser would, sending mail inline; returns the request id and what the mail said. */
async function ask(identifier: string, client = `client-${identifier}`) {
  const before = listOutbox().length;
  const requested = await requestEmailSignIn(identifier, { client, requestedBy: "Chrome on Linux", schedule: (task) => void task() });
  if (!requested.ok) throw new Error(requested.error);
  const id = requested.id;
  await vi.waitFor(() => expect(listOutbox().length).toBeGreaterThanOrEqual(before));
  const mail = listOutbox().length > before ? listOutbox()[0] : undefined;
  return {
    id,
    mail,
    code: mail?.text.match(/\b(\d{6})\b/)?.[1] ?? "",
    secret: mail ? new URL(mail.text.match(/https?:\/\/\S+/)![0]).searchParams.get("token")! : "",
  };
}

beforeAll(async () => {
  await getDb();
}, 60_000);

afterEach(() => {
  vi.useRealTimers();
});

describe("email sign-in", () => {
  it("mails a link built from APP_URL and a code; stores only argon2id hashes", async () => {
    const user = await newUser();
    const { id, mail, code, secret } = await ask(user.username.toUpperCase());
    expect(mail?.to).toBe(user.email);
    expect(mail?.subject).toBe("Sign in to Passwordless");
    expect(mail?.text).toContain("http://localhost:3000/login/email?token=");
    expect(mail?.text).toContain("from Chrome on Linux");
    const raw = (await kv().get(`emailsignin:${id}`))!;
    expect(raw).not.toContain(code);
    expect(raw).not.toContain(secret);
    expect(raw.match(/\$argon2id\$/g)).toHaveLength(2);
    // The page echoes what was typed, never the looked-up address.
    expect(await pendingEmailSignIn(id)).toEqual({ typed: user.username.toUpperCase() });
  });

  it("answers an unknown address the same way, with a decoy and no mail", async () => {
    const { id, mail } = await ask("nobody-at-all@example.test");
    expect(mail).toBeUndefined();
    expect(await kv().get(`emailsignin:${id}`)).toMatch(/\$argon2id\$.*\$argon2id\$/);
    expect(await pendingEmailSignIn(id)).toEqual({ typed: "nobody-at-all@example.test" });
    expect(await consumeEmailSignIn(id, "code", "123456")).toEqual({ ok: false, error: "wrong_code", attemptsLeft: 4 });
  });

  it("signs in with the code or the link once, even under parallel submission", async () => {
    const user = await newUser();
    const byCode = await ask(user.email);
    const results = await Promise.all([1, 2, 3].map(() => consumeEmailSignIn(byCode.id, "code", byCode.code)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await consumeEmailSignIn(byCode.id, "link", byCode.secret)).toEqual({ ok: false, error: "email_signin_expired" });

    const byLink = await ask(user.email);
    expect(await consumeEmailSignIn(byLink.id, "link", byLink.secret)).toMatchObject({ ok: true, user: { id: user.id } });
  });

  it("rejects malformed input before any argon2 work (no attempt is counted)", async () => {
    const user = await newUser();
    const { id, code } = await ask(user.email);
    for (const bad of ["", "12345", "1234567", "abcdef", "12 456"]) expect(await consumeEmailSignIn(id, "code", bad)).toEqual({ ok: false, error: "code_format" });
    for (const bad of ["short", "x".repeat(44), "!".repeat(43)]) expect(await consumeEmailSignIn(id, "link", bad)).toEqual({ ok: false, error: "link_invalid" });
    expect(await consumeEmailSignIn("not-an-id", "code", code)).toEqual({ ok: false, error: "email_signin_expired" });
    expect(await kv().get(`emailsignin:${id}:attempts`)).toBeNull();
    expect((await consumeEmailSignIn(id, "code", code)).ok).toBe(true);
  });

  it("ends the request after five wrong codes", async () => {
    const user = await newUser();
    const { id, code } = await ask(user.email);
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 4; i++) expect(await consumeEmailSignIn(id, "code", wrong)).toEqual({ ok: false, error: "wrong_code", attemptsLeft: 4 - i });
    expect(await consumeEmailSignIn(id, "code", wrong)).toEqual({ ok: false, error: "too_many_attempts" });
    expect((await consumeEmailSignIn(id, "code", code)).ok).toBe(false);
  });

  it("expires after 10 minutes", async () => {
    const user = await newUser();
    const { id, code } = await ask(user.email);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + EMAIL_SIGNIN_TTL_SECONDS * 1000 + 1000);
    expect(await consumeEmailSignIn(id, "code", code)).toEqual({ ok: false, error: "email_signin_expired" });
  });

  it("says plainly when a name or a client asked too often, alike for known and unknown names, and issues nothing", async () => {
    const user = await newUser();
    const unknown = `nobody-${user.id}@example.test`;
    for (const identifier of [user.email, unknown]) {
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await requestEmailSignIn(identifier, { client: `c-${i}-${identifier}`, requestedBy: "t", schedule: () => {} }));
      expect(answers.slice(0, 5).every((a) => a.ok)).toBe(true);
      expect(answers[5]).toEqual({ ok: false, error: "email_rate_limited" });
    }
    const client = `one-client-${user.id}`;
    const answers = [];
    for (let i = 0; i < 31; i++) answers.push(await requestEmailSignIn(`name-${i}-${user.id}`, { client, requestedBy: "t", schedule: () => {} }));
    expect(answers.slice(0, 30).every((a) => a.ok)).toBe(true);
    expect(answers[30]).toEqual({ ok: false, error: "rate_limited" });
    // Another client is untouched by that one's flood.
    expect((await requestEmailSignIn(user.username, { client: `other-${user.id}`, requestedBy: "t", schedule: () => {} })).ok).toBe(true);
  });

  it("works only while the account's address is the one the mail went to", async () => {
    const user = await newUser();
    const { id, code } = await ask(user.email);
    const db = await getDb();
    await db.update(users).set({ email: `moved.${user.email}` }).where(eq(users.id, user.id));
    expect(await consumeEmailSignIn(id, "code", code)).toEqual({ ok: false, error: "email_signin_expired" });
  });

  it(`pauses codes for an account after ${MAX_ACCOUNT_CODE_FAILURES} wrong ones across requests and names; links still work`, async () => {
    const user = await newUser();
    let failures = 0;
    for (const identifier of [user.username, user.email, user.username.toUpperCase(), user.email]) {
      const { id, code } = await ask(identifier, `guesser-${failures}`);
      const wrong = code === "000000" ? "111111" : "000000";
      for (let i = 0; i < 5; i++, failures++) expect((await consumeEmailSignIn(id, "code", wrong)).ok).toBe(false);
    }
    expect(failures).toBe(MAX_ACCOUNT_CODE_FAILURES);
    const fresh = await ask(user.email, "owner");
    expect(await consumeEmailSignIn(fresh.id, "code", fresh.code)).toEqual({ ok: false, error: "codes_paused" });
    expect(await consumeEmailSignIn(fresh.id, "link", fresh.secret)).toMatchObject({ ok: true, user: { id: user.id } });
    // A success starts the count again.
    const after = await ask(user.username, "owner-2");
    expect((await consumeEmailSignIn(after.id, "code", after.code)).ok).toBe(true);

    // An unknown name behaves the same way, so the pause tells nothing.
    const nobody = `nobody-${user.id}`;
    for (let r = 0; r < 4; r++) {
      const { id } = await ask(nobody, `n-${r}`);
      for (let i = 0; i < 5; i++) await consumeEmailSignIn(id, "code", "123456");
    }
    const last = await ask(nobody, "n-last");
    expect(await consumeEmailSignIn(last.id, "code", "123456")).toEqual({ ok: false, error: "codes_paused" });
  });

  it("1,000 random link tokens against one request: at most five are checked, then it is gone", async () => {
    const user = await newUser();
    const { id } = await ask(user.email);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const result = await consumeEmailSignIn(id, "link", randomBytes(32).toString("base64url"));
      const key = result.ok ? "ok" : result.error;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    expect(outcomes.get("link_invalid")).toBe(4);
    expect(outcomes.get("too_many_attempts")).toBe(1);
    expect(outcomes.get("email_signin_expired")).toBe(995);
  });

  it("takes the same time whether or not the account exists (median gap under 50 ms over 50 tries)", async () => {
    const user = await newUser();
    const time = async (identifier: string) => {
      const start = performance.now();
      await requestEmailSignIn(identifier, { client: "timing", requestedBy: "test", schedule: () => {} });
      return performance.now() - start;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const users = [user, ...(await Promise.all(Array.from({ length: 49 }, () => newUser())))];
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 50; i++) {
      known.push(await time(users[i]!.email));
      unknown.push(await time(`nobody-${i}-${user.id}@example.test`));
    }
    expect(Math.abs(median(known) - median(unknown))).toBeLessThan(50);
  }, 180_000);

  it("throttling an address never blocks its owner's passkey sign-in", async () => {
    const user = await newUser();
    const credential = new SoftCredential(user.webauthnUserId);
    const registration = await beginRegistration(user);
    if (!registration.ok) throw new Error(registration.error);
    expect((await finishRegistration(registration.flowId, user.id, credential.register(registration.options, "http://localhost:3000"))).ok).toBe(true);
    for (let i = 0; i < 8; i++) await requestEmailSignIn(user.email, { client: `attacker-${i}`, requestedBy: "t", schedule: () => {} });
    const begun = await beginAuthentication({ identifier: user.email, user });
    expect(await finishAuthentication(begun.flowId, credential.authenticate(begun.options, "http://localhost:3000"))).toMatchObject({ ok: true, user: { id: user.id } });
  });
});

