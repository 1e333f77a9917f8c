import { eq } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import { TestBrowser } from "@/test/browser";
import { addSoftPasskey, askSignInEmail, newUser, ORIGIN } from "@/test/factories";
import { EMAIL_SIGNIN_TTL_SECONDS, finishSignInEmail, pendingSignInEmail, requestSignInEmail, resendSignInEmail, signInLinkState } from "./email-sign-in";
import { MAX_CLIENT_CODE_FAILURES } from "./emailed-proof";
import { kv } from "./kv";
import { listOutbox } from "./mail";
import { getCurrentSession } from "./session";
import { passkeySignInOptions, setTypedIdentifier, signInWithPasskey } from "./sign-in";

const ask = askSignInEmail;

beforeAll(async () => void (await getDb()));

afterEach(() => {
  vi.useRealTimers();
});

describe("email sign-in", () => {
  it("mails a link built from APP_URL and a code; stores only argon2id hashes; the page echoes what was typed", async () => {
    const user = await newUser();
    const { browser, id, mail, code, secret } = await ask(user.username.toUpperCase());
    expect(mail?.to).toBe(user.email);
    expect(mail?.subject).toBe(`${code} is your Passwordless code`);
    expect(mail?.text.trimEnd().split("\n").at(-1)).toBe(`@localhost #${code}`);
    expect(mail?.text).toContain("http://localhost:3000/login/email?token=");
    expect(mail?.text).toContain("from Chrome on Linux");
    const raw = (await kv().get(`emailsignin:${id}`))!;
    expect(raw).not.toContain(code);
    expect(raw).not.toContain(secret);
    expect(raw.match(/\$argon2id\$/g)).toHaveLength(2);
    expect(await browser.run(pendingSignInEmail)).toMatchObject({ typed: user.username.toUpperCase() });
    expect(await browser.run(signInLinkState)).toEqual({ state: "ready", typed: user.username.toUpperCase() });
  });

  it("answers an unknown name the same way, with a decoy and no mail", async () => {
    const { browser, id, mail } = await ask("nobody-at-all@example.test");
    expect(mail).toBeUndefined();
    expect(await kv().get(`emailsignin:${id}`)).toMatch(/\$argon2id\$.*\$argon2id\$/);
    expect(await browser.run(signInLinkState)).toEqual({ state: "ready", typed: "nobody-at-all@example.test" });
    expect(await browser.run(() => finishSignInEmail("code", "123456"))).toEqual({ ok: false, error: "wrong_code", attemptsLeft: 4 });
  });

  it("signs in with the code or the link once, even under 10 parallel presses, none told 'too many wrong codes'; then the link says used", async () => {
    const user = await newUser();
    const byCode = await ask(user.email);
    const results = await byCode.browser.run(() => Promise.all(Array.from({ length: 10 }, () => finishSignInEmail("code", byCode.code))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    // The others hear "already used" or "still being checked", never that the code was wrong.
    for (const r of results) if (!r.ok) expect(["email_signin_expired", "still_checking"]).toContain(r.error);
    expect(await byCode.browser.run(getCurrentSession)).toMatchObject({ user: { id: user.id }, session: { method: "email" } });
    expect(await byCode.browser.run(() => finishSignInEmail("link", byCode.secret))).toEqual({ ok: false, error: "email_signin_expired" });
    expect(await byCode.browser.run(signInLinkState)).toEqual({ state: "used" });

    const byLink = await ask(user.email);
    expect(await byLink.browser.run(() => finishSignInEmail("link", byLink.secret))).toEqual({ ok: true });
  });

  it("works only in the browser that asked: elsewhere the link and code do nothing", async () => {
    const user = await newUser();
    const { code, secret } = await ask(user.email);
    const elsewhere = new TestBrowser();
    expect(await elsewhere.run(signInLinkState)).toEqual({ state: "elsewhere" });
    expect(await elsewhere.run(() => finishSignInEmail("link", secret))).toEqual({ ok: false, error: "email_signin_expired" });
    expect(await elsewhere.run(() => finishSignInEmail("code", code))).toEqual({ ok: false, error: "email_signin_expired" });
    expect(await elsewhere.run(getCurrentSession)).toBeNull();
  });

  it("rejects malformed input before any argon2 work (no attempt is counted)", async () => {
    const user = await newUser();
    const { browser, id, code } = await ask(user.email);
    for (const bad of ["", "12345", "1234567", "abcdef", "12 456"]) expect(await browser.run(() => finishSignInEmail("code", bad))).toEqual({ ok: false, error: "code_format" });
    for (const bad of ["short", "x".repeat(44), "!".repeat(43)]) expect(await browser.run(() => finishSignInEmail("link", bad))).toEqual({ ok: false, error: "link_invalid" });
    expect(await kv().get(`emailsignin:${id}:attempts`)).toBeNull();
    expect((await browser.run(() => finishSignInEmail("code", code))).ok).toBe(true);
  });

  it("ends the request after five wrong codes", async () => {
    const user = await newUser();
    const { browser, code } = await ask(user.email);
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 4; i++) expect(await browser.run(() => finishSignInEmail("code", wrong))).toEqual({ ok: false, error: "wrong_code", attemptsLeft: 4 - i });
    expect(await browser.run(() => finishSignInEmail("code", wrong))).toEqual({ ok: false, error: "too_many_attempts" });
    expect((await browser.run(() => finishSignInEmail("code", code))).ok).toBe(false);
    expect(await browser.run(signInLinkState)).toEqual({ state: "ended" });
  });

  it("expires after 10 minutes, and its link page says so", async () => {
    const user = await newUser();
    const { browser, code } = await ask(user.email);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + EMAIL_SIGNIN_TTL_SECONDS * 1000 + 1000);
    expect(await browser.run(() => finishSignInEmail("code", code))).toEqual({ ok: false, error: "email_signin_expired" });
    expect(await browser.run(signInLinkState)).toEqual({ state: "expired" });
  });

  it("two resends later the first code still signs in; every code of the request shares its five tries", async () => {
    const user = await newUser();
    const first = await ask(user.email);
    const codes = [first.code];
    for (let i = 0; i < 2; i++) {
      expect(await first.browser.run(resendSignInEmail)).toEqual({ ok: true });
      codes.push(listOutbox()[0]!.text.match(/\b(\d{6})\b/)![1]!);
    }
    expect(first.browser.cookie("email-signin")).toBe(first.id);
    const wrong = ["000000", "111111", "222222"].find((c) => !codes.includes(c))!;
    for (let i = 0; i < 4; i++) expect(await first.browser.run(() => finishSignInEmail("code", wrong))).toMatchObject({ error: "wrong_code", attemptsLeft: 4 - i });
    expect((await first.browser.run(() => finishSignInEmail("code", first.code))).ok).toBe(true);
  });

  it("an old code expires on its own clock; past three codes, a resend starts a new request", async () => {
    const user = await newUser();
    const first = await ask(user.email);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + EMAIL_SIGNIN_TTL_SECONDS * 1000 - 60_000);
    expect(await first.browser.run(resendSignInEmail)).toEqual({ ok: true });
    const second = listOutbox()[0]!.text.match(/\b(\d{6})\b/)![1]!;
    vi.setSystemTime(Date.now() + 2 * 60_000);
    expect(await first.browser.run(() => finishSignInEmail("code", first.code))).toMatchObject({ error: "wrong_code" });
    expect(await first.browser.run(resendSignInEmail)).toEqual({ ok: true });
    expect(first.browser.cookie("email-signin")).toBe(first.id);
    expect(await first.browser.run(resendSignInEmail)).toEqual({ ok: true });
    expect(first.browser.cookie("email-signin")).not.toBe(first.id);
    const fourth = listOutbox()[0]!.text.match(/\b(\d{6})\b/)![1]!;
    if (second !== fourth) expect(await first.browser.run(() => finishSignInEmail("code", second))).toMatchObject({ error: "wrong_code" });
    expect((await first.browser.run(() => finishSignInEmail("code", fourth))).ok).toBe(true);
  });

  it("a resend for a name with no account mails nothing and answers the same", async () => {
    const nobody = await ask(`nobody-${randomBytes(4).toString("hex")}@example.test`);
    const newestBefore = listOutbox()[0]?.id;
    expect(await nobody.browser.run(resendSignInEmail)).toEqual({ ok: true });
    expect(listOutbox()[0]?.id).toBe(newestBefore);
    expect(nobody.browser.cookie("email-signin")).toBe(nobody.id);
  });

  it("says plainly when a name or a client asked too often, alike for known and unknown names, and issues nothing", async () => {
    const user = await newUser();
    for (const identifier of [user.email, `nobody-${user.id}@example.test`]) {
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await new TestBrowser().run(() => requestSignInEmail(identifier)));
      expect(answers.slice(0, 5).every((a) => a.ok)).toBe(true);
      expect(answers[5]).toEqual({ ok: false, error: "email_rate_limited" });
    }
    const flooder = new TestBrowser();
    const answers = [];
    for (let i = 0; i < 31; i++) answers.push(await flooder.run(() => requestSignInEmail(`name-${i}-${user.id}`)));
    expect(answers.slice(0, 30).every((a) => a.ok)).toBe(true);
    expect(answers[30]).toEqual({ ok: false, error: "rate_limited" });
    // Another client is untouched by that one's flood.
    expect(await new TestBrowser().run(() => requestSignInEmail(user.username))).toEqual({ ok: true });
  });

  it("works only while the account's address is the one the mail went to", async () => {
    const user = await newUser();
    const { browser, code } = await ask(user.email);
    const db = await getDb();
    await db.update(users).set({ email: `moved.${user.email}` }).where(eq(users.id, user.id));
    expect(await browser.run(() => finishSignInEmail("code", code))).toEqual({ ok: false, error: "email_signin_expired" });
  });

  it(`pauses codes for one client and account after ${MAX_CLIENT_CODE_FAILURES} wrong ones across requests and names; the owner's browser and links still work`, async () => {
    const user = await newUser();
    const guesser = () => new TestBrowser(undefined, "10.66.0.1");
    let failures = 0;
    for (const identifier of [user.username, user.email, user.username.toUpperCase(), user.email]) {
      const { browser, code } = await ask(identifier, guesser());
      const wrong = code === "000000" ? "111111" : "000000";
      for (let i = 0; i < 5; i++, failures++) expect((await browser.run(() => finishSignInEmail("code", wrong))).ok).toBe(false);
    }
    expect(failures).toBe(MAX_CLIENT_CODE_FAILURES);
    const paused = await ask(user.username, guesser());
    expect(await paused.browser.run(() => finishSignInEmail("code", paused.code))).toEqual({ ok: false, error: "codes_paused" });
    // The owner reading the code on another device is another client: not paused.
    const owner = await ask(user.email);
    expect(await owner.browser.run(() => finishSignInEmail("code", owner.code))).toEqual({ ok: true });
    // The link works in the paused client, and a success starts that client's count again.
    expect(await paused.browser.run(() => finishSignInEmail("link", paused.secret))).toEqual({ ok: true });
    const after = await ask(user.username, guesser());
    expect((await after.browser.run(() => finishSignInEmail("code", after.code))).ok).toBe(true);

    // An unknown name behaves the same way, so the pause tells nothing.
    const nobody = `nobody-${user.id}`;
    const nobodyGuesser = () => new TestBrowser(undefined, "10.66.0.2");
    for (let r = 0; r < 4; r++) {
      const { browser } = await ask(nobody, nobodyGuesser());
      for (let i = 0; i < 5; i++) await browser.run(() => finishSignInEmail("code", "123456"));
    }
    const last = await ask(nobody, nobodyGuesser());
    expect(await last.browser.run(() => finishSignInEmail("code", "123456"))).toEqual({ ok: false, error: "codes_paused" });
  });

  it("1,000 random link tokens against one request: at most five are checked, then it is gone", async () => {
    const user = await newUser();
    const { browser } = await ask(user.email);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const result = await browser.run(() => finishSignInEmail("link", randomBytes(32).toString("base64url")));
      const key = result.ok ? "ok" : result.error;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    expect(outcomes.get("link_invalid")).toBe(4);
    expect(outcomes.get("too_many_attempts")).toBe(1);
    expect(outcomes.get("email_signin_expired")).toBe(995);
  });

  it("takes the same time whether or not the account exists (median gap under 50 ms over 50 tries)", async () => {
    const time = async (identifier: string) => {
      const start = performance.now();
      await new TestBrowser().run(() => requestSignInEmail(identifier));
      return performance.now() - start;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const people = await Promise.all(Array.from({ length: 50 }, () => newUser()));
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 50; i++) {
      known.push(await time(people[i]!.email));
      unknown.push(await time(`nobody-${i}-${people[0]!.id}@example.test`));
    }
    expect(Math.abs(median(known) - median(unknown))).toBeLessThan(50);
  }, 180_000);

  it("throttling an address never blocks its owner's passkey sign-in", async () => {
    const user = await newUser();
    const { credential } = await addSoftPasskey(user);
    for (let i = 0; i < 8; i++) await new TestBrowser().run(() => requestSignInEmail(user.email));
    const owner = new TestBrowser();
    await owner.run(() => setTypedIdentifier(user.email));
    const begun = await owner.run(() => passkeySignInOptions("identified"));
    if (!begun.ok) throw new Error(begun.error);
    expect(await owner.run(() => signInWithPasskey(credential.authenticate(begun.options, ORIGIN)))).toEqual({ ok: true });
  });
});
