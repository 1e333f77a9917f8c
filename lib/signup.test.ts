import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { kv } from "./kv";
import { listOutbox } from "./mail";
import { getPendingSignup, proveSignupEmail, signupInputSchema, startSignup } from "./signup";
import { findUserByIdentifier } from "./users";

/** Sends mail inline, so a test can read the outbox right after. */
const context = (client: string) => ({ client, schedule: (task: () => Promise<void>) => void task() });

let n = 0;
const person = () => {
  n += 1;
  const id = `${Date.now().toString(36)}${n}`;
  return { name: null, username: `p_${id}`, email: `p.${id}@example.test` };
};

/** Starts a sign-up and reads the code and link secret from the outbox, as the person would. */
async function started(input = person()) {
  const result = await startSignup(input, context(`client-${input.username}`));
  if (!result.ok) throw new Error(result.error);
  const mail = listOutbox().find((m) => m.to === input.email)!;
  return { id: result.id, input, code: mail.text.match(/\b(\d{6})\b/)![1]!, secret: new URL(mail.text.match(/https?:\/\/\S+/)![0]).searchParams.get("token")! };
}

beforeAll(async () => {
  await getDb();
}, 60_000);

describe("signupInputSchema", () => {
  it("normalizes: trims, lowercases the email and username, empty name to null", () => {
    expect(signupInputSchema.parse({ name: "  ", username: " Ada.L-1_ ", email: " Ada@Example.COM " })).toEqual({ name: null, username: "ada.l-1_", email: "ada@example.com" });
  });

  it.each([
    [{ username: "ab" }, "username"],
    [{ username: "a".repeat(33) }, "username"],
    [{ username: "has space" }, "username"],
    [{ username: "émile" }, "username"],
    [{ email: "nope" }, "email"],
    [{ name: "x".repeat(65) }, "name"],
  ])("rejects %j with a message on %s", (patch, field) => {
    const result = signupInputSchema.safeParse({ name: "", username: "valid_name", email: "ok@example.com", ...patch });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([field]);
  });
});

describe("sign-up", () => {
  it("stores only argon2id hashes and creates no user before the proof", async () => {
    const { id, input, code, secret } = await started();
    const raw = await kv().get(`signup:${id}`);
    expect(raw).not.toContain(code);
    expect(raw).not.toContain(secret);
    expect(raw).toContain("$argon2id$");
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    expect(await findUserByIdentifier(input.username)).toBeNull();
  });

  it("creates a verified user on the right code, once", async () => {
    const { id, input, code } = await started();
    const results = await Promise.all([1, 2, 3].map(() => proveSignupEmail(id, "code", code)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const user = await findUserByIdentifier(input.email);
    expect(user?.emailVerifiedAt).toBeInstanceOf(Date);
    expect(await getPendingSignup(id)).toMatchObject({ stage: "passkey", userId: user?.id });
  });

  it("accepts the link's secret, not a wrong one", async () => {
    const { id, secret } = await started();
    expect(await proveSignupEmail(id, "link", "A".repeat(43))).toEqual({ ok: false, error: "signup_expired", attemptsLeft: 4 });
    expect((await proveSignupEmail(id, "link", secret)).ok).toBe(true);
  });

  it("ends the sign-up after five wrong codes; malformed codes cost no attempt", async () => {
    const { id, code } = await started();
    const wrong = code === "000000" ? "111111" : "000000";
    expect(await proveSignupEmail(id, "code", "12ab56")).toEqual({ ok: false, error: "code_format" });
    for (let i = 0; i < 4; i++) expect(await proveSignupEmail(id, "code", wrong)).toEqual({ ok: false, error: "wrong_code", attemptsLeft: 4 - i });
    expect(await proveSignupEmail(id, "code", wrong)).toEqual({ ok: false, error: "too_many_attempts" });
    expect(await getPendingSignup(id)).toBeNull();
    expect((await proveSignupEmail(id, "code", code)).ok).toBe(false);
  });

  it("refuses taken names in any case, and a race lost at insert gets the same message", async () => {
    const first = await started();
    const rival = await started({ ...first.input, email: `rival.${first.input.email}` });
    expect((await proveSignupEmail(first.id, "code", first.code)).ok).toBe(true);
    expect(await startSignup({ ...first.input, username: first.input.username.toUpperCase(), email: "x@example.test" }, context("c"))).toEqual({ ok: false, error: "username_taken" });
    expect(await proveSignupEmail(rival.id, "code", rival.code)).toEqual({ ok: false, error: "username_taken" });
    expect(await getPendingSignup(rival.id)).toBeNull();
  });

  it("limits verification emails per address", async () => {
    const input = person();
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await startSignup(input, context(`client-${i}`)));
    expect(results.slice(0, 5).every((r) => r.ok)).toBe(true);
    expect(results[5]).toEqual({ ok: false, error: "rate_limited" });
  });

  it("answers an address that has an account exactly like a new one, and tells its owner instead", async () => {
    const first = await started();
    expect((await proveSignupEmail(first.id, "code", first.code)).ok).toBe(true);
    const again = await startSignup({ ...person(), email: first.input.email }, context("someone"));
    expect(again).toMatchObject({ ok: true, id: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const notice = listOutbox()[0]!;
    expect(notice).toMatchObject({ to: first.input.email, subject: "You already have a Passwordless account" });
    expect(notice.text).not.toMatch(/\b\d{6}\b/);
    if (!again.ok) throw new Error();
    expect(await getPendingSignup(again.id)).toMatchObject({ stage: "email" });
    expect(await proveSignupEmail(again.id, "code", first.code)).toMatchObject({ ok: false, error: "wrong_code" });
  });
});
