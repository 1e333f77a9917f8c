import "server-only";
import type { ErrorCode, Result } from "./shared/errors";
import { kv } from "./kv";
import { clientKey } from "./rate-limit";
import { CODE_PATTERN, TOKEN_PATTERN, hashSecret, randomCode, randomToken, sha256Hex, verifySecret } from "./secrets";

/**
 * A 6-digit code and a link secret (256 bits) mailed to prove an address, stored only as argon2id
 * hashes next to the data they unlock, under a random id that the asking browser keeps in its
 * cookie. Used by sign-up, email sign-in, "confirm it's you" and email change.
 */
const MAX_ATTEMPTS = 5;
/**
 * Wrong codes one client may get for one account, across all its proofs, in
 * CODE_FAILURE_WINDOW_SECONDS; then codes are paused for that client and account, and only links
 * (256-bit, unguessable) work there until the window ends. Counting per client means a guesser
 * pauses only their own client, never the owner's browser. A success (code or link) from the
 * client starts its count again.
 */
export const MAX_CLIENT_CODE_FAILURES = 20;
/**
 * Wrong codes one account may get from all clients together in the window (NIST 800-63B's limit),
 * so many clients still can't guess without bound: 100 a day keeps the chance of hitting a 6-digit
 * code at 1 in 10,000 a day. Then codes are paused for everyone; links still work. Not restarted
 * by a success: it is the hard ceiling.
 */
export const MAX_ACCOUNT_CODE_FAILURES = 100;
const CODE_FAILURE_WINDOW_SECONDS = 24 * 60 * 60;

/**
 * How many codes (each with its link) one request may have mailed: the first and two resends. All
 * of them work until each expires, so a resend never kills the code already in the inbox; they
 * share the request's tries. A send beyond this starts a new request.
 */
export const MAX_CODES_PER_PROOF = 3;

/** One mailed code and link, as hashes, and when they expire (ms). */
type Mailed = { codeHash: string; secretHash: string; expiresAt: number };
type Stored<T> = { data: T; account: string; mailed: Mailed[] };

const key = (namespace: string, id: string) => `${namespace}:${id}`;
/** Tries being checked plus wrong ones: bounds the argon2 work one proof can cause. */
/**
 * The tries counters are fixed windows that must outlive every code of the request (a reissue
 * extends the record, never a counter): the last of MAX_CODES_PER_PROOF codes expires at most
 * that many lifetimes after the first was sent.
 */
const countersTtl = (ttlSeconds: number) => ttlSeconds * MAX_CODES_PER_PROOF;
const attemptsKey = (namespace: string, id: string) => `${namespace}:${id}:attempts`;
/** Wrong tries only: the proof ends when they reach MAX_ATTEMPTS. */
const wrongKey = (namespace: string, id: string) => `${namespace}:${id}:wrong`;
const failuresKey = (account: string) => `codefailures:${sha256Hex(account)}`;
const clientFailuresKey = (account: string, client: string) => `codefailures:${sha256Hex(account)}:${sha256Hex(client)}`;
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
  const { code, secret, mailed } = await newMailed(ttlSeconds, options.decoy);
  const stored: Stored<T> = { data, account: options.account, mailed: [mailed] };
  await kv().set(key(namespace, id), JSON.stringify(stored), ttlSeconds);
  return { id, code, secret };
}

async function newMailed(ttlSeconds: number, decoy = false): Promise<{ code: string; secret: string; mailed: Mailed }> {
  const code = randomCode();
  const secret = randomToken();
  const [codeHash, secretHash] = await Promise.all([hashSecret(decoy ? randomCode() : code), hashSecret(decoy ? randomToken() : secret)]);
  return { code, secret, mailed: { codeHash, secretHash, expiresAt: Date.now() + ttlSeconds * 1000 } };
}

/**
 * "Send a new code" within the same request: adds a code and link to the pending proof (and
 * updates its data) while keeping the ones already mailed, which work until each expires; the
 * tries stay shared. Null when the proof is gone, or already has MAX_CODES_PER_PROOF codes: the
 * caller then starts a new request. The record is taken while it is rewritten, so a proof spent
 * meanwhile is never brought back (a code pressed in that instant hears "expired" and can be
 * pressed again).
 */
export async function reissueProof<T>(
  namespace: string,
  id: string | undefined,
  ttlSeconds: number,
  update: (data: T) => T,
  options: { decoy?: boolean } = {},
): Promise<{ code: string; secret: string } | null> {
  if (!id || !TOKEN_PATTERN.test(id)) return null;
  const current = await kv().get(key(namespace, id));
  if (!current || (JSON.parse(current) as Stored<T>).mailed.length >= MAX_CODES_PER_PROOF) return null;
  const { code, secret, mailed } = await newMailed(ttlSeconds, options.decoy);
  const raw = await kv().take(key(namespace, id));
  if (!raw) return null;
  const stored = JSON.parse(raw) as Stored<T>;
  const next: Stored<T> = { data: update(stored.data), account: stored.account, mailed: [...stored.mailed, mailed] };
  await kv().set(key(namespace, id), JSON.stringify(next), ttlSeconds);
  return { code, secret };
}

const liveMailed = <T>(stored: Stored<T>) => stored.mailed.filter((m) => m.expiresAt > Date.now());

/** Reads a proof's data without spending it or counting an attempt. */
export async function peekProof<T>(namespace: string, id: string | undefined): Promise<T | null> {
  if (!id || !TOKEN_PATTERN.test(id)) return null;
  const raw = await kv().get(key(namespace, id));
  return raw ? (JSON.parse(raw) as Stored<T>).data : null;
}

/**
 * Spends a proof with the typed code or the link's secret. Malformed input is refused before any
 * argon2 work and costs no try. Every limit is counted before the argon2 check, atomically, so a
 * parallel burst can't slip more checks through than the limits allow: a code first takes one of
 * this client's and one of the account's daily wrong-code slots (none free: `codes_paused`, nothing
 * checked), then one of the proof's five tries (none free while earlier presses are still being
 * checked: `still_checking`, retryable, the proof stays). A wrong value keeps its slots, and the
 * fifth wrong one ends the proof; a right one gives them back and takes the record atomically, so
 * of parallel correct submissions exactly one wins and the others hear "already used".
 */
export async function spendProof<T>(
  namespace: string,
  id: string | undefined,
  kind: "code" | "link",
  value: string,
  errors: { expired: ErrorCode; badLink: ErrorCode },
  ttlSeconds: number,
): Promise<Result<{ data: T }>> {
  if (!id || !TOKEN_PATTERN.test(id)) return { ok: false, error: errors.expired };
  if (!(kind === "code" ? CODE_PATTERN : TOKEN_PATTERN).test(value)) return { ok: false, error: kind === "code" ? "code_format" : errors.badLink };
  const raw = await kv().get(key(namespace, id));
  if (!raw) return { ok: false, error: errors.expired };
  const stored = JSON.parse(raw) as Stored<T>;

  // Links are 256-bit secrets: only codes count against the daily wrong-code ceilings.
  const guess = kind === "code" ? await reserveCodeGuess(stored.account) : null;
  if (guess === "paused") return { ok: false, error: "codes_paused" };

  const attempts = attemptsKey(namespace, id);
  if ((await kv().increment(attempts, countersTtl(ttlSeconds))) > MAX_ATTEMPTS) {
    await Promise.all([kv().decrement(attempts), guess?.giveBack()]);
    const state = await proofState(namespace, id);
    return { ok: false, error: state === "pending" ? "still_checking" : state === "ended" ? "too_many_attempts" : errors.expired };
  }

  if (!(await matchesLive(stored, kind, value))) {
    const wrong = await kv().increment(wrongKey(namespace, id), countersTtl(ttlSeconds));
    if (wrong >= MAX_ATTEMPTS) {
      await Promise.all([kv().del(key(namespace, id)), kv().set(outcomeKey(namespace, id), "ended", OUTCOME_MEMORY_SECONDS)]);
      return { ok: false, error: "too_many_attempts" };
    }
    return { ok: false, error: kind === "code" ? "wrong_code" : errors.badLink, attemptsLeft: MAX_ATTEMPTS - wrong };
  }
  await guess?.giveBack();
  // Another press of the right code won the record: this one's answer says "expired or already used".
  if (!(await kv().take(key(namespace, id)))) return { ok: false, error: errors.expired };
  // A success (code or link) starts this client's wrong-code count for the account again.
  await Promise.all([kv().del(clientFailuresKey(stored.account, await clientKey())), kv().set(outcomeKey(namespace, id), "used", OUTCOME_MEMORY_SECONDS)]);
  return { ok: true, data: stored.data };
}

/**
 * Whether the value is any unexpired code (or link) of the proof. One try checks each live code in
 * turn, so a try costs at most MAX_CODES_PER_PROOF argon2 checks, still bounded by the tries.
 */
async function matchesLive<T>(stored: Stored<T>, kind: "code" | "link", value: string): Promise<boolean> {
  for (const mailed of liveMailed(stored)) {
    if (await verifySecret(kind === "code" ? mailed.codeHash : mailed.secretHash, value)) return true;
  }
  return false;
}

/**
 * Takes one wrong-code slot of this client's for the account, then one of the account's, before
 * the code is checked; "paused" (and nothing held) when either ceiling is reached. The client's is
 * taken first, so a client that paused itself adds nothing to the account's count.
 */
async function reserveCodeGuess(account: string): Promise<"paused" | { giveBack(): Promise<void> }> {
  const perClient = clientFailuresKey(account, await clientKey());
  const perAccount = failuresKey(account);
  if ((await kv().increment(perClient, CODE_FAILURE_WINDOW_SECONDS)) > MAX_CLIENT_CODE_FAILURES) {
    await kv().decrement(perClient);
    return "paused";
  }
  if ((await kv().increment(perAccount, CODE_FAILURE_WINDOW_SECONDS)) > MAX_ACCOUNT_CODE_FAILURES) {
    await Promise.all([kv().decrement(perClient), kv().decrement(perAccount)]);
    return "paused";
  }
  return {
    giveBack: async () => {
      await Promise.all([kv().decrement(perClient), kv().decrement(perAccount)]);
    },
  };
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
  if (id) await Promise.all([kv().del(key(namespace, id)), kv().del(attemptsKey(namespace, id)), kv().del(wrongKey(namespace, id))]);
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
