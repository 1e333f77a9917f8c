import "server-only";
import type { AttemptFailure, ErrorCode } from "./errors";
import { kv } from "./kv";
import { CODE_PATTERN, TOKEN_PATTERN, hashSecret, randomCode, randomToken, verifySecret } from "./secrets";

/**
 * A 6-digit code and a link secret (256 bits) mailed to prove an address, stored only as argon2id
 * hashes next to the data they unlock, under a random id that the asking browser keeps in its
 * sealed cookie. Used by sign-up, email sign-in and email change.
 */
export const MAX_ATTEMPTS = 5;

type Stored<T> = { data: T; codeHash: string; secretHash: string };

const key = (namespace: string, id: string) => `${namespace}:${id}`;
const attemptsKey = (namespace: string, id: string) => `${namespace}:${id}:attempts`;

/** Stands in for a hash where none was computed; verifySecret never accepts it. */
const NO_HASH = "none";

/**
 * Stores a new proof and returns what to mail. A "decoy" hashes throwaway values instead, so it
 * costs the same and looks the same but can never be spent (nothing is mailed for it). A
 * "throttled" one skips hashing altogether: it is only ever issued where every request is
 * throttled alike, so its lower cost tells nothing, and a flood can't buy argon2 work.
 */
export async function issueProof<T>(
  namespace: string,
  data: T,
  ttlSeconds: number,
  options: { kind?: "real" | "decoy" | "throttled" } = {},
): Promise<{ id: string; code: string; secret: string }> {
  const id = randomToken();
  const code = randomCode();
  const secret = randomToken();
  const kind = options.kind ?? "real";
  const [codeHash, secretHash] =
    kind === "throttled" ? [NO_HASH, NO_HASH] : await Promise.all([hashSecret(kind === "decoy" ? randomCode() : code), hashSecret(kind === "decoy" ? randomToken() : secret)]);
  const stored: Stored<T> = { data, codeHash, secretHash };
  await kv().set(key(namespace, id), JSON.stringify(stored), ttlSeconds);
  return { id, code, secret };
}

/** Reads a proof's data without spending it or counting an attempt (for "Sign in as …" pages). */
export async function peekProof<T>(namespace: string, id: string | undefined): Promise<T | null> {
  if (!id || !TOKEN_PATTERN.test(id)) return null;
  const raw = await kv().get(key(namespace, id));
  return raw ? (JSON.parse(raw) as Stored<T>).data : null;
}

/**
 * Spends a proof with the typed code or the link's secret. Malformed input is refused before any
 * argon2 work and costs no attempt; each real try counts against five, after which the proof is
 * gone; the record is taken atomically, so of parallel correct submissions exactly one wins.
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

  const attempt = await kv().increment(attemptsKey(namespace, id), ttlSeconds);
  if (attempt > MAX_ATTEMPTS) {
    await kv().del(key(namespace, id));
    return { ok: false, error: "too_many_attempts" };
  }
  if (!(await verifySecret(kind === "code" ? stored.codeHash : stored.secretHash, value))) {
    if (attempt >= MAX_ATTEMPTS) {
      await kv().del(key(namespace, id));
      return { ok: false, error: "too_many_attempts" };
    }
    return { ok: false, error: kind === "code" ? "wrong_code" : errors.badLink, attemptsLeft: MAX_ATTEMPTS - attempt };
  }
  if (!(await kv().take(key(namespace, id)))) return { ok: false, error: errors.expired };
  return { ok: true, data: stored.data };
}

/** Withdraws a proof (the person started over). */
export async function dropProof(namespace: string, id: string | undefined): Promise<void> {
  if (id) await Promise.all([kv().del(key(namespace, id)), kv().del(attemptsKey(namespace, id))]);
}
