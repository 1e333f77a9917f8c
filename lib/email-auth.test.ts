import { eq } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db/client";
import { passkeys, sessions, users } from "@/db/schema";
import { newUser } from "@/test/factories";
import { SoftCredential } from "@/test/soft-authenticator";
import { consumeEmailSignIn, EMAIL_SIGNIN_TTL_SECONDS, pendingEmailSignIn, requestEmailSignIn } from "./email-auth";
import { kv } from "./kv";
import { listOutbox } from "./mail";
import { beginAuthentication, beginRegistration, finishAuthentication, finishRegistration } from "./passkeys";
import { insertSession } from "./session";

/** Asks as a browser would, sending mail inline; returns the request id and what the mail said. */
async function ask(identifier: string, client = `client-${identifier}`) {
  const before = listOutbox().length;
  const { id } = await requestEmailSignIn(identifier, { client, requestedBy: "Chrome on Linux", schedule: (task) => void task() });
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
    expect(await pendingEmailSignIn(id)).toEqual({ email: user.email });
  });

  it("answers an unknown address the same way, with a decoy and no mail", async () => {
    const { id, mail } = await ask("nobody-at-all@example.test");
    expect(mail).toBeUndefined();
    expect(await kv().get(`emailsignin:${id}`)).toMatch(/\$argon2id\$.*\$argon2id\$/);
    expect(await pendingEmailSignIn(id)).toBeNull();
    expect(await consumeEmailSignIn(id, "code", "123456")).toEqual({ ok: false, error: "wrong_code", attemptsLeft: 4 });
  });

  it("signs in with the code or the link once, even under parallel submission", async () => {
    const user = await newUser();
    const byCode = await ask(user.email);
    const results = await Promise.all([1, 2, 3].map(() => consumeEmailSignIn(byCode.id, "code", byCode.code)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await consumeEmailSignIn(byCode.id, "link", byCode.secret)).toEqual({ ok: false, error: "email_signin_expired" });

    const byLink = await ask(user.email);
    expect(await consumeEmailSignIn(byLink.id, "link", byLink.secret)).toMatchObject({ ok: true, user: { id: user.id }, cleanedUp: false });
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

  it("spends no argon2 work on a throttled request, and it can never be used", async () => {
    const user = await newUser();
    for (let i = 0; i < 5; i++) await ask(user.email, `client-${i}`);
    const { id, mail } = await ask(user.email, "client-5");
    expect(mail).toBeUndefined();
    expect(await kv().get(`emailsignin:${id}`)).not.toContain("$argon2");
    expect(await consumeEmailSignIn(id, "code", "123456")).toMatchObject({ ok: false, error: "wrong_code" });
  });

  it("throttles per address: later requests get the same answer and no mail", async () => {
    const user = await newUser();
    const asked = [];
    for (let i = 0; i < 6; i++) asked.push(await ask(user.email, `client-${i}`));
    expect(asked.slice(0, 5).every((a) => a.mail)).toBe(true);
    expect(asked[5]?.mail).toBeUndefined();
    expect(asked[5]?.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("proves an unverified account and removes the passkeys and sessions made before the proof", async () => {
    const user = await newUser();
    const db = await getDb();
    await db.update(users).set({ emailVerifiedAt: null }).where(eq(users.id, user.id));
    await db.insert(passkeys).values({ id: `planted-${user.id}`, userId: user.id, publicKey: "AA", deviceType: "singleDevice", backedUp: false, aaguid: "00000000-0000-0000-0000-000000000000", name: "Passkey" });
    await insertSession({ userId: user.id, method: "passkey" });

    const { id, code } = await ask(user.email);
    expect(await consumeEmailSignIn(id, "code", code)).toMatchObject({ ok: true, cleanedUp: true });
    expect(await db.select().from(passkeys).where(eq(passkeys.userId, user.id))).toHaveLength(0);
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    expect((await db.select().from(users).where(eq(users.id, user.id)))[0]?.emailVerifiedAt).toBeInstanceOf(Date);
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
    for (let i = 0; i < 8; i++) await ask(user.email, `attacker-${i}`);
    const begun = await beginAuthentication({ identifier: user.email, user });
    expect(await finishAuthentication(begun.flowId, credential.authenticate(begun.options, "http://localhost:3000"))).toMatchObject({ ok: true, user: { id: user.id } });
  });
});

