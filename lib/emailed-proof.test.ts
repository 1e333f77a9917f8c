import { beforeEach, describe, expect, it, vi } from "vitest";
import { TestBrowser } from "@/test/browser";
import { MAX_ACCOUNT_CODE_FAILURES, MAX_CLIENT_CODE_FAILURES, issueProof, proofState, spendProof } from "./emailed-proof";
import { verifySecret } from "./secrets";

// Every argon2 check goes through verifySecret: counting its calls counts the guesses checked.
vi.mock("./secrets", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./secrets")>();
  return { ...actual, verifySecret: vi.fn(actual.verifySecret) };
});
const checks = () => vi.mocked(verifySecret).mock.calls.length;

const NAMESPACE = "prooftest";
const ERRORS = { expired: "email_signin_expired", badLink: "link_invalid" } as const;
const TTL = 10 * 60;

let n = 0;
const newAccount = () => `user:proof-test-${Date.now()}-${++n}`;
/** A client of its own: its own address, so its own per-client counts. */
let clients = 0;
const newClient = () => new TestBrowser(undefined, `10.77.${Math.floor(++clients / 250)}.${clients % 250}`);
const wrongFor = (code: string) => (code === "000000" ? "111111" : "000000");

async function issue(account: string) {
  return issueProof(NAMESPACE, { account }, TTL, { account });
}
function spend(client: TestBrowser, id: string, kind: "code" | "link", value: string) {
  return client.run(() => spendProof<{ account: string }>(NAMESPACE, id, kind, value, ERRORS, TTL));
}
const errorOf = (result: Awaited<ReturnType<typeof spend>>) => (result.ok ? "ok" : result.error);
const tally = (results: Awaited<ReturnType<typeof spend>>[]) => {
  const counts: Record<string, number> = {};
  for (const result of results) counts[errorOf(result)] = (counts[errorOf(result)] ?? 0) + 1;
  return counts;
};

beforeEach(() => {
  vi.mocked(verifySecret).mockClear();
});

describe("wrong-code ceilings", () => {
  it(`a parallel burst of 60 wrong codes across 12 proofs from one client checks only ${MAX_CLIENT_CODE_FAILURES}, then codes pause for that client only`, async () => {
    const account = newAccount();
    const proofs = await Promise.all(Array.from({ length: 12 }, () => issue(account)));
    const attacker = newClient();
    const results = await Promise.all(proofs.flatMap((p) => Array.from({ length: 5 }, () => spend(attacker, p.id, "code", wrongFor(p.code)))));
    expect(checks()).toBe(MAX_CLIENT_CODE_FAILURES);
    const counts = tally(results);
    expect((counts.wrong_code ?? 0) + (counts.too_many_attempts ?? 0)).toBe(MAX_CLIENT_CODE_FAILURES);
    expect(counts.codes_paused).toBe(60 - MAX_CLIENT_CODE_FAILURES);

    // Even the right code is refused to that client, unchecked; its link works.
    const fresh = await issue(account);
    vi.mocked(verifySecret).mockClear();
    expect(await spend(attacker, fresh.id, "code", fresh.code)).toEqual({ ok: false, error: "codes_paused" });
    expect(checks()).toBe(0);
    expect(await spend(attacker, fresh.id, "link", fresh.secret)).toMatchObject({ ok: true });

    // The owner's browser is another client: its code still works.
    const owners = await issue(account);
    expect(await spend(newClient(), owners.id, "code", owners.code)).toMatchObject({ ok: true });
  }, 60_000);

  it(`21 wrong codes in a row from client A pause A for that account, not client B, and not A for another account`, async () => {
    const account = newAccount();
    const a = newClient();
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const p = await issue(account);
      for (let t = 0; t < 5 && answers.length < MAX_CLIENT_CODE_FAILURES + 1; t++) answers.push(errorOf(await spend(a, p.id, "code", wrongFor(p.code))));
    }
    expect(answers.slice(0, MAX_CLIENT_CODE_FAILURES).every((e) => e === "wrong_code" || e === "too_many_attempts")).toBe(true);
    expect(answers[MAX_CLIENT_CODE_FAILURES]).toBe("codes_paused");
    expect(checks()).toBe(MAX_CLIENT_CODE_FAILURES);

    const forA = await issue(account);
    expect(await spend(a, forA.id, "code", forA.code)).toEqual({ ok: false, error: "codes_paused" });
    const forB = await issue(account);
    const b = newClient();
    expect(await spend(b, forB.id, "code", wrongFor(forB.code))).toEqual({ ok: false, error: "wrong_code", attemptsLeft: 4 });
    expect(await spend(b, forB.id, "code", forB.code)).toMatchObject({ ok: true });
    const elsewhere = await issue(newAccount());
    expect(await spend(a, elsewhere.id, "code", elsewhere.code)).toMatchObject({ ok: true });

    // A success from A (its link) starts A's count again.
    expect(await spend(a, forA.id, "link", forA.secret)).toMatchObject({ ok: true });
    const again = await issue(account);
    expect(await spend(a, again.id, "code", again.code)).toMatchObject({ ok: true });
  }, 60_000);

  it(`${MAX_ACCOUNT_CODE_FAILURES} wrong codes across clients, even in one parallel burst, pause codes for every client; links still work`, async () => {
    const account = newAccount();
    // 8 clients × 3 proofs × 5 wrong codes = 120: each client stays under its own 20.
    const clients = Array.from({ length: 8 }, newClient);
    const proofs = await Promise.all(Array.from({ length: 24 }, () => issue(account)));
    const results = await Promise.all(proofs.flatMap((p, i) => Array.from({ length: 5 }, () => spend(clients[i % 8]!, p.id, "code", wrongFor(p.code)))));
    expect(checks()).toBe(MAX_ACCOUNT_CODE_FAILURES);
    expect(tally(results).codes_paused).toBe(120 - MAX_ACCOUNT_CODE_FAILURES);

    const owners = await issue(account);
    const owner = newClient();
    expect(await spend(owner, owners.id, "code", owners.code)).toEqual({ ok: false, error: "codes_paused" });
    expect(await spend(owner, owners.id, "link", owners.secret)).toMatchObject({ ok: true });
    // The hard ceiling is not restarted by a success.
    const later = await issue(account);
    expect(await spend(owner, later.id, "code", later.code)).toEqual({ ok: false, error: "codes_paused" });
  }, 120_000);

  it(`below ${MAX_ACCOUNT_CODE_FAILURES}, clients that each reached their own 20 leave a new client's codes working`, async () => {
    const account = newAccount();
    const clients = Array.from({ length: 4 }, newClient);
    const proofs = await Promise.all(Array.from({ length: 16 }, () => issue(account)));
    const results = await Promise.all(proofs.flatMap((p, i) => Array.from({ length: 5 }, () => spend(clients[i % 4]!, p.id, "code", wrongFor(p.code)))));
    expect(checks()).toBe(80);
    expect(tally(results).codes_paused).toBeUndefined();
    const owners = await issue(account);
    expect(await spend(newClient(), owners.id, "code", owners.code)).toMatchObject({ ok: true });
  }, 120_000);
});

describe("one proof's tries", () => {
  it("10 parallel presses of the right code: exactly one wins, none hears 'too many wrong codes', the proof is used, not ended", async () => {
    const p = await issue(newAccount());
    const client = newClient();
    const results = await Promise.all(Array.from({ length: 10 }, () => spend(client, p.id, "code", p.code)));
    const counts = tally(results);
    expect(counts.ok).toBe(1);
    expect(counts.too_many_attempts).toBeUndefined();
    expect(counts.wrong_code).toBeUndefined();
    // The rest were told the truth: already used, or still being checked (retryable).
    expect((counts.email_signin_expired ?? 0) + (counts.still_checking ?? 0)).toBe(9);
    expect(await proofState(NAMESPACE, p.id)).toBe("used");
    expect(checks()).toBeLessThanOrEqual(5);
  });

  it("after four wrong codes, 10 parallel presses of the right one still win once (the last try isn't burnt by the rush)", async () => {
    const p = await issue(newAccount());
    const client = newClient();
    for (let i = 0; i < 4; i++) await spend(client, p.id, "code", wrongFor(p.code));
    const results = await Promise.all(Array.from({ length: 10 }, () => spend(client, p.id, "code", p.code)));
    expect(tally(results).ok).toBe(1);
    expect(tally(results).too_many_attempts).toBeUndefined();
    expect(await proofState(NAMESPACE, p.id)).toBe("used");
  });

  it("10 parallel presses of the right link: exactly one wins", async () => {
    const p = await issue(newAccount());
    const results = await Promise.all(Array.from({ length: 10 }, () => spend(newClient(), p.id, "link", p.secret)));
    expect(tally(results).ok).toBe(1);
    expect(tally(results).too_many_attempts).toBeUndefined();
  });

  it("five wrong codes still end the proof, in a row or at once; only five are ever checked", async () => {
    const inARow = await issue(newAccount());
    const client = newClient();
    for (let i = 0; i < 4; i++) expect(await spend(client, inARow.id, "code", wrongFor(inARow.code))).toEqual({ ok: false, error: "wrong_code", attemptsLeft: 4 - i });
    expect(await spend(client, inARow.id, "code", wrongFor(inARow.code))).toEqual({ ok: false, error: "too_many_attempts" });
    expect(await spend(client, inARow.id, "code", inARow.code)).toEqual({ ok: false, error: "email_signin_expired" });
    expect(await proofState(NAMESPACE, inARow.id)).toBe("ended");

    vi.mocked(verifySecret).mockClear();
    const atOnce = await issue(newAccount());
    const results = await Promise.all(Array.from({ length: 12 }, () => spend(client, atOnce.id, "code", wrongFor(atOnce.code))));
    expect(checks()).toBe(5);
    expect(tally(results).wrong_code).toBe(4);
    expect(await proofState(NAMESPACE, atOnce.id)).toBe("ended");
    expect(await spend(client, atOnce.id, "code", atOnce.code)).toMatchObject({ ok: false });
  });
});
