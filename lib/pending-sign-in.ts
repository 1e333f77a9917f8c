import "server-only";
import { randomInt } from "node:crypto";
import { headers } from "next/headers";
import { pointerCookie } from "./cookies";
import { kv } from "./kv";
import type { PendingStatus } from "./shared/pending";
import { fail, type Result } from "./shared/errors";
import { randomToken, sha256Hex, TOKEN_PATTERN } from "./secrets";
import { summarizeUserAgent } from "./user-agent";

/**
 * A sign-in asked for in one browser (the asker) and approved on another device: by the number in
 * a mailed link ("email") or by a signed-in phone with a passkey ("qr"). Two handles, never the same:
 *
 * - `id`, the asker's secret, only ever in its pointer cookie: it reads the status and claims the
 *   approval. Whoever could see it could take the sign-in, so it is never shown or mailed.
 * - `code`, the public handle the approving device opens (in the mail, the QR code, the short URL).
 *   Knowing it lets one approve or refuse, never collect the session.
 *
 * Each request is decided once (approve or refuse, an atomic counter), and an approval is claimed
 * once (an atomic take), by the asker only. Nothing here writes on a read.
 */
export type PendingKind = "email" | "qr";
export type PendingData = { userId: string | null; requestedBy: string; number?: number };
export type PendingRequest = PendingData & { createdAt: number; expiresAt: number };
export type Approval = { userId: string; method: "email" | "passkey"; passkeyId?: string };

/** How long an approval waits for the asker to collect it, past the request's own lifetime. */
const CLAIM_GRACE_SECONDS = 60;

/**
 * QR codes are typed by hand sometimes: 12 characters from a 32-letter alphabet without look-alikes
 * (0/o, 1/l/i, u), 60 bits. A request lives 2 minutes. Approval attempts are rate-limited per client
 * and per account (lib/rate-limit.ts, 20 per 15 minutes), and only a device signed in to the account
 * the request names learns whether a code is live: with a million live requests, even a million
 * guesses hit one with odds of about 1 in a million (10^12 / 2^60), and even odds would take about
 * 5 * 10^11 guesses within the 2 minutes.
 */
const SHORT_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const SHORT_LENGTH = 12;
export const SHORT_CODE_PATTERN = new RegExp(`^[${SHORT_ALPHABET}]{${SHORT_LENGTH}}$`);

function shortCode(): string {
  return Array.from({ length: SHORT_LENGTH }, () => SHORT_ALPHABET[randomInt(SHORT_ALPHABET.length)]).join("");
}

/** The code's shape per kind: a mailed link can be long, a code on a screen should be short. */
function validCode(kind: PendingKind, code: string): boolean {
  return kind === "qr" ? SHORT_CODE_PATTERN.test(code) : TOKEN_PATTERN.test(code);
}

const key = (kind: PendingKind, part: "request" | "decided" | "approved" | "refused" | "used", code: string) => `pending:${kind}:${part}:${code}`;
// The asker's id is stored hashed: the store never holds the handle that collects a session.
const askerKey = (kind: PendingKind, id: string) => `pending:${kind}:asker:${sha256Hex(id)}`;

/** The asker's pointer cookie for `kind`: one request of each kind per browser. */
export const askerCookie = (kind: PendingKind, ttlSeconds = 10 * 60) => pointerCookie(`pending-${kind}`, ttlSeconds + CLAIM_GRACE_SECONDS);

/** Starts a request in this browser (its cookie points at it); the caller shows or sends `code`. */
export async function startPendingSignIn(kind: PendingKind, data: PendingData, ttlSeconds: number, now = Date.now()): Promise<{ id: string; code: string; expiresAt: number }> {
  const id = randomToken();
  const code = kind === "qr" ? shortCode() : randomToken();
  const expiresAt = now + ttlSeconds * 1000;
  const request: PendingRequest = { ...data, createdAt: now, expiresAt };
  await kv().set(key(kind, "request", code), JSON.stringify(request), ttlSeconds);
  await kv().set(askerKey(kind, id), code, ttlSeconds + CLAIM_GRACE_SECONDS);
  await askerCookie(kind, ttlSeconds).set(id);
  return { id, code, expiresAt };
}

/** This browser's request of `kind`, if it has one: the id its cookie holds. */
export async function askerPendingId(kind: PendingKind): Promise<string | undefined> {
  return askerCookie(kind).get();
}

/** What the approving device is shown about a live, undecided request (null: expired, decided, or never was). */
export async function peekPendingSignIn(kind: PendingKind, code: string): Promise<PendingRequest | null> {
  if (!validCode(kind, code)) return null;
  const [raw, decided] = await Promise.all([kv().get(key(kind, "request", code)), kv().get(key(kind, "decided", code))]);
  return raw && !decided ? (JSON.parse(raw) as PendingRequest) : null;
}

/** Where the asker's request stands. A read only. */
export async function pendingSignInStatus(kind: PendingKind, id: string | undefined): Promise<PendingStatus> {
  const code = id && TOKEN_PATTERN.test(id) ? await kv().get(askerKey(kind, id)) : null;
  if (!code) return "expired";
  const [used, approved, refused, request] = await Promise.all(
    (["used", "approved", "refused", "request"] as const).map((part) => kv().get(key(kind, part, code))),
  );
  if (used) return "used";
  if (approved) return "approved";
  if (refused) return "refused";
  return request ? "waiting" : "expired";
}

/** Takes the one decision a request gets; false when it is gone or already decided. */
async function decide(kind: PendingKind, code: string, request: PendingRequest, now: number): Promise<boolean> {
  const ttl = Math.max(1, Math.ceil((request.expiresAt - now) / 1000));
  return (await kv().increment(key(kind, "decided", code), ttl + CLAIM_GRACE_SECONDS)) === 1;
}

async function liveRequest(kind: PendingKind, code: string): Promise<PendingRequest | null> {
  if (!validCode(kind, code)) return null;
  const raw = await kv().get(key(kind, "request", code));
  return raw ? (JSON.parse(raw) as PendingRequest) : null;
}

/**
 * Approves a request, at most once: a second approval, or one after a refusal or expiry, fails.
 * A request that names an account can only be approved for that account.
 */
export async function approvePendingSignIn(kind: PendingKind, code: string, approval: Approval, now = Date.now()): Promise<Result> {
  const request = await liveRequest(kind, code);
  if (!request) return fail("sign_in_request_expired");
  if (request.userId !== null && request.userId !== approval.userId) return fail("not_this_account");
  if (!(await decide(kind, code, request, now))) return fail("sign_in_request_expired");
  await kv().set(key(kind, "approved", code), JSON.stringify(approval), Math.max(1, Math.ceil((request.expiresAt - now) / 1000)) + CLAIM_GRACE_SECONDS);
  return { ok: true };
}

/** Ends a request unapproved (a wrong number, "this wasn't me"); false if it was already decided or gone. */
export async function refusePendingSignIn(kind: PendingKind, code: string, now = Date.now()): Promise<boolean> {
  const request = await liveRequest(kind, code);
  if (!request || !(await decide(kind, code, request, now))) return false;
  await kv().set(key(kind, "refused", code), "1", Math.max(1, Math.ceil((request.expiresAt - now) / 1000)) + CLAIM_GRACE_SECONDS);
  return true;
}

/**
 * The asking browser finished another way (its own code or link): it no longer waits, so its
 * handle goes (the request itself can't be approved any more: approving spends the same proof).
 */
export async function forgetPendingSignIn(kind: PendingKind): Promise<void> {
  const cookie = askerCookie(kind);
  if ((await cookie.get()) !== undefined) await cookie.clear();
}

/**
 * Collects an approval, once, in the browser that asked (its cookie must hold `id`). The caller
 * then signs this browser in with completeSignIn and the method's rules.
 */
export async function claimPendingSignIn(kind: PendingKind, id: string | undefined): Promise<Result<{ approval: Approval; request: PendingData }>> {
  const cookie = askerCookie(kind);
  if (!id || !TOKEN_PATTERN.test(id) || (await cookie.get()) !== id) return fail("sign_in_request_expired");
  const code = await kv().get(askerKey(kind, id));
  if (!code) return fail("sign_in_request_expired");
  const raw = await kv().take(key(kind, "approved", code));
  if (!raw) return fail("sign_in_request_expired");
  const request = await kv().get(key(kind, "request", code));
  await kv().set(key(kind, "used", code), "1", CLAIM_GRACE_SECONDS * 10);
  await kv().del(key(kind, "request", code));
  await cookie.clear();
  const data: PendingData = request ? (JSON.parse(request) as PendingRequest) : { userId: null, requestedBy: "" };
  return { ok: true, approval: JSON.parse(raw) as Approval, request: { userId: data.userId, requestedBy: data.requestedBy, number: data.number } };
}

/** "Chrome on Linux": what a request says about the browser asking. */
export async function requestingBrowser(): Promise<string> {
  return summarizeUserAgent((await headers()).get("user-agent"));
}
