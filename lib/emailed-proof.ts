import "server-only";
import type { AttemptFailure, ErrorCode } from "./errors";
import { kv } from "./kv";
import { CODE_PATTERN, TOKEN_PATTERN, hashSecret, randomCode, randomToken, sha256Hex, verifySecret } from "./secrets";

/**
 * A 6-digit code and a link secret (256 bits) mailed to prove an address, stored only as argon2id
 * hashes next to the data they unlock, under a random id that the asking browser keeps in its
 * cookie. Used by sign-up, email sign-in, "confirm it's you" and email change.
 */
const MAX_ATTEMPTS = 5;
/**
 * Wrong codes one account may get, across all its proofs, in CODE_FAILURE_WINDOW_SECONDS; then
 * only links (256-bit, unguessable) work until the window ends. 20 a day keeps a guesser's
 * chance of hitting a 6-digit code under 1 in 50,000 a day (NIST 800-63B allows up to 100
 * consecutive failures). A success starts the count again.
 */
export const MAX_ACCOUNT_CODE_FAILURES = 20;
const CODE_FAILURE_WINDOW_SECONDS = 24 * 60 * 60;

type Stored<T> = { data: T; account: string; codeHash: string; secretHash: string };

const key = (namespace: string, id: string) => `${namespace}:${id}`;
const attemptsKey = (namespace: string, id: string) => `${namespace}:${id}:attempts`;
const failuresKey = (account: string) => `codefailures:${sha256Hex(account)}`;
const outcomeKey = (namespace: string, id: string) => `${namespace}:${id}:outcome`;
/** How long a proof's end is remembered ("used", "ended"), so its link page can say so instead of "expired". */
const OUTCOME_MEMORY_SECONDS = 60 * 60;

/**
 * Stores a new proof and returns what to mail. `account` names whose code guesses it counts
 * toward (the same for every proof of one account, whichever name it was asked by). A "decoy"
 * hashes throwaway values instead, so it costs the same and looks the same but can never be
 * spent (nothing is mailed for it).
 */
export async function issueProof<T>(
  namespace: string,
  data: T,
  ttlSeconds: number,
  options: { account: string; decoy?: boolean },
): Promise<{ id: string; code: string; secret: string }> {
  const id = randomToken();
  const code = randomCode();
  const secret = randomToken();
  const [codeHash, secretHash] = await Promise.all([hashSecret(options.decoy ? randomCode() : code), hashSecret(options.decoy ? randomToken() : secret)]);
  const stored: Stored<T> = { data, account: options.account, codeHash, secretHash };
  await kv().set(key(namespace, id), JSON.stringify(stored), ttlSeconds);
  return { id, code, secret };
}

/** Reads a proof's data without spending it or counting an attempt. */
export async function peekProof<T>(namespace: string, id: string | undefined): Promise<T | null> {
  if (!id || !TOKEN_PATTERN.test(id)) return null;
  const raw = await kv().get(key(namespace, id));
  return raw ? (JSON.parse(raw) as Stored<T>).data : null;
}

/**
 * Spends a proof with the typed code or the link's secret. Malformed input is refused before any
 * argon2 work and costs no attempt; each real try counts against five, after which the proof is
 * gone, and each wrong code against the account's daily allowance; the record is taken
 * atomically, so of parallel correct submissions exactly one wins.
 */
export async function spendProof<T>(
  namespace: string,
  id: string | undefined,
  kind: "code" | "link",
  value: string,
  errors: { expired: ErrorCode; badLink: ErrorCode },
  ttlSeconds: number,
): Promise<{ ok: true; data: T } | AttemptFailure> {
  if (!id || !TOKEN_PATTERN.test(id)) return { ok: false, error: errors.expired };
  if (!(kind === "code" ? CODE_PATTERN : TOKEN_PATTERN).test(value)) return { ok: false, error: kind === "code" ? "code_format" : errors.badLink };
  const raw = await kv().get(key(namespace, id));
  if (!raw) return { ok: false, error: errors.expired };
  const stored = JSON.parse(raw) as Stored<T>;
  if (kind === "code" && Number((await kv().get(failuresKey(stored.account))) ?? 0) >= MAX_ACCOUNT_CODE_FAILURES) {
    return { ok: false, error: "codes_paused" };
  }

  const ended = async () => {
    await Promise.all([kv().del(key(namespace, id)), kv().set(outcomeKey(namespace, id), "ended", OUTCOME_MEMORY_SECONDS)]);
    return { ok: false as const, error: "too_many_attempts" as const };
  };
  const attempt = await kv().increment(attemptsKey(namespace, id), ttlSeconds);
  if (attempt > MAX_ATTEMPTS) return ended();
  if (!(await verifySecret(kind === "code" ? stored.codeHash : stored.secretHash, value))) {
    if (kind === "code") await kv().increment(failuresKey(stored.account), CODE_FAILURE_WINDOW_SECONDS);
    if (attempt >= MAX_ATTEMPTS) return ended();
    return { ok: false, error: kind === "code" ? "wrong_code" : errors.badLink, attemptsLeft: MAX_ATTEMPTS - attempt };
  }
  if (!(await kv().take(key(namespace, id)))) return { ok: false, error: errors.expired };
  await Promise.all([kv().del(failuresKey(stored.account)), kv().set(outcomeKey(namespace, id), "used", OUTCOME_MEMORY_SECONDS)]);
  return { ok: true, data: stored.data };
}

/**
 * Where a proof stands: still pending; spent, or ended by wrong tries (both remembered for an
 * hour); or gone (expired, or withdrawn when the person started over).
 */
export async function proofState(namespace: string, id: string | undefined): Promise<"pending" | "used" | "ended" | "gone"> {
  if (!id || !TOKEN_PATTERN.test(id)) return "gone";
  const [pending, outcome] = await Promise.all([kv().get(key(namespace, id)), kv().get(outcomeKey(namespace, id))]);
  if (pending) return "pending";
  return outcome === "used" || outcome === "ended" ? outcome : "gone";
}

/** Withdraws a proof (the person started over). */
export async function dropProof(namespace: string, id: string | undefined): Promise<void> {
  if (id) await Promise.all([kv().del(key(namespace, id)), kv().del(attemptsKey(namespace, id))]);
}

/**
 * What an emailed link's page can truthfully say in this browser, from the flow id in its cookie:
 * ready to use, already used here, ended by wrong codes, expired, or asked for somewhere else
 * (no flow in this browser).
 */
export type LinkState = "ready" | "used" | "ended" | "expired" | "elsewhere";

export async function linkState(namespace: string, id: string | undefined): Promise<LinkState> {
  if (!id) return "elsewhere";
  const state = await proofState(namespace, id);
  return state === "pending" ? "ready" : state === "gone" ? "expired" : state;
}
