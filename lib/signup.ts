import "server-only";
import { z } from "zod";
import type { User } from "@/db/schema";
import { signupVerificationEmail } from "./emails";
import { getConfig } from "./env";
import { fail, type AttemptFailure, type ErrorCode } from "./errors";
import { kv } from "./kv";
import { sendMail } from "./mail";
import { hit } from "./rate-limit";
import { CODE_PATTERN, TOKEN_PATTERN, hashSecret, randomCode, randomToken, verifySecret } from "./secrets";
import { createVerifiedUser, normalizeEmail, takenField } from "./users";

export const SIGNUP_TTL_SECONDS = 15 * 60;
export const MAX_CODE_ATTEMPTS = 5;

export const signupInputSchema = z.object({
  name: z
    .string()
    .trim()
    .max(64, "Use at most 64 characters.")
    .transform((v) => v || null),
  username: z
    .string()
    .trim()
    .min(3, "Use at least 3 characters.")
    .max(32, "Use at most 32 characters.")
    .regex(/^[a-zA-Z0-9_.-]+$/, "Use only letters a-z, digits and . _ -")
    .transform((v) => v.toLowerCase()),
  email: z
    .string()
    .trim()
    .max(254, "That email address is too long.")
    .pipe(z.email("Enter a valid email address, like you@example.com."))
    .transform(normalizeEmail),
});

export type SignupInput = z.output<typeof signupInputSchema>;

/** What the store holds for a pending sign-up: first the unproven details, then the new user. */
export type PendingSignup =
  | { stage: "email"; username: string; email: string; name: string | null; codeHash: string; secretHash: string }
  | { stage: "passkey"; userId: string; email: string };

// The two stages live under separate keys, so a parallel proof that loses the race can never
// take the record the winner just wrote.
const pendingKey = (id: string) => `signup:${id}`;
const provenKey = (id: string) => `signup:${id}:proven`;
const attemptsKey = (id: string) => `signup:${id}:attempts`;

type Unproven = Extract<PendingSignup, { stage: "email" }>;
type Proven = Extract<PendingSignup, { stage: "passkey" }>;

export async function getPendingSignup(id: string | undefined): Promise<PendingSignup | null> {
  if (!id) return null;
  const [proven, pending] = await Promise.all([kv().get(provenKey(id)), kv().get(pendingKey(id))]);
  const raw = proven ?? pending;
  return raw ? (JSON.parse(raw) as PendingSignup) : null;
}

/**
 * Starts a sign-up: nothing is created until the email is proven. Emails one code and one link;
 * both are stored only as argon2id hashes. Returns the pending id for this browser's cookie.
 */
export async function startSignup(
  input: SignupInput,
  client: string,
): Promise<{ ok: true; id: string } | { ok: false; error: ErrorCode }> {
  if (!(await hit("signupPerClient", client))) return fail("rate_limited");
  const taken = await takenField(input.username, input.email);
  if (taken) return fail(taken);
  if (!(await hit("signupPerEmail", input.email))) return fail("rate_limited");

  const id = randomToken();
  const code = randomCode();
  const secret = randomToken();
  const [codeHash, secretHash] = await Promise.all([hashSecret(code), hashSecret(secret)]);
  const pending: Unproven = { stage: "email", ...input, codeHash, secretHash };
  await kv().set(pendingKey(id), JSON.stringify(pending), SIGNUP_TTL_SECONDS);

  const config = getConfig();
  const link = new URL("/signup/verify", config.appUrl);
  link.searchParams.set("token", secret);
  await sendMail(signupVerificationEmail({ to: input.email, code, link: link.href, rpName: config.rpName, minutes: SIGNUP_TTL_SECONDS / 60 }));
  return { ok: true, id };
}

/**
 * Proves the email with the typed code (kind "code") or the link's secret (kind "link"), then
 * creates the user. Each try counts against one budget of five, checked before any argon2 work;
 * the pending record is taken atomically, so one proof wins even under parallel submission.
 */
export async function proveSignupEmail(
  id: string | undefined,
  kind: "code" | "link",
  value: string,
): Promise<{ ok: true; user: User } | AttemptFailure> {
  const pending = await getPendingSignup(id);
  if (!id || !pending || pending.stage !== "email") return fail("signup_expired");
  if (!(kind === "code" ? CODE_PATTERN : TOKEN_PATTERN).test(value)) return fail(kind === "code" ? "code_format" : "signup_expired");

  const attempt = await kv().increment(attemptsKey(id), SIGNUP_TTL_SECONDS);
  if (attempt > MAX_CODE_ATTEMPTS) {
    await kv().del(pendingKey(id));
    return fail("too_many_attempts");
  }
  const matches = await verifySecret(kind === "code" ? pending.codeHash : pending.secretHash, value);
  if (!matches) {
    if (attempt >= MAX_CODE_ATTEMPTS) {
      await kv().del(pendingKey(id));
      return fail("too_many_attempts");
    }
    return { ok: false, error: kind === "code" ? "wrong_code" : "signup_expired", attemptsLeft: MAX_CODE_ATTEMPTS - attempt };
  }

  if (!(await kv().take(pendingKey(id)))) return fail("signup_expired");
  const created = await createVerifiedUser({ username: pending.username, email: pending.email, name: pending.name });
  if (!created.ok) return created;
  const proven: Proven = { stage: "passkey", userId: created.user.id, email: created.user.email };
  await kv().set(provenKey(id), JSON.stringify(proven), SIGNUP_TTL_SECONDS);
  return { ok: true, user: created.user };
}

/** Finishes a proven sign-up (passkey made, or skipped): returns it once, then it is gone. */
export async function takeProvenSignup(id: string | undefined): Promise<Proven | null> {
  const raw = id ? await kv().take(provenKey(id)) : null;
  return raw ? (JSON.parse(raw) as Proven) : null;
}

/** Abandons a sign-up at whatever stage: both records and the attempt counter go. */
export async function abandonSignup(id: string | undefined): Promise<void> {
  if (!id) return;
  await Promise.all([kv().del(pendingKey(id)), kv().del(provenKey(id)), kv().del(attemptsKey(id))]);
}
