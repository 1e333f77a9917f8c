import "server-only";
import { z } from "zod";
import type { User } from "@/db/schema";
import { accountExistsEmail, signupVerificationEmail } from "./emails";
import { getConfig } from "./env";
import { dropProof, issueProof, peekProof, spendProof } from "./emailed-proof";
import { fail, type AttemptFailure, type ErrorCode } from "./errors";
import { kv } from "./kv";
import { sendMail } from "./mail";
import { hit } from "./rate-limit";
import { createVerifiedUser, findUserByEmail, normalizeEmail, usernameTaken } from "./users";

export const SIGNUP_TTL_SECONDS = 15 * 60;

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

/** A pending sign-up: first the unproven details, then (proven) the new user. */
export type PendingSignup = ({ stage: "email" } & SignupInput) | { stage: "passkey"; userId: string; email: string };
type Proven = Extract<PendingSignup, { stage: "passkey" }>;

const NAMESPACE = "signup";
// The proven stage lives under its own key, so a parallel proof that loses the race can never
// take the record the winner just wrote.
const provenKey = (id: string) => `signup:${id}:proven`;
const PROOF_ERRORS = { expired: "signup_expired", badLink: "signup_expired" } as const;

export async function getPendingSignup(id: string | undefined): Promise<PendingSignup | null> {
  if (!id) return null;
  const [proven, details] = await Promise.all([kv().get(provenKey(id)), peekProof<SignupInput>(NAMESPACE, id)]);
  if (proven) return JSON.parse(proven) as Proven;
  return details ? { stage: "email", ...details } : null;
}

/**
 * Starts a sign-up: nothing is created until the email is proven. Emails one code and one link,
 * or, when the address already has an account, tells its owner instead: the answer here is the
 * same either way (a decoy proof that can never be spent), so the form never says an address is
 * taken. Usernames are public, so a taken one is said, within the per-client limit.
 */
export async function startSignup(
  input: SignupInput,
  context: { client: string; schedule: (task: () => Promise<void>) => void },
): Promise<{ ok: true; id: string } | { ok: false; error: ErrorCode }> {
  if (!(await hit("signupPerClient", context.client))) return fail("rate_limited");
  if (await usernameTaken(input.username)) return fail("username_taken");
  if (!(await hit("verificationPerEmail", input.email))) return fail("rate_limited");

  const owner = await findUserByEmail(input.email);
  const { id, code, secret } = await issueProof(NAMESPACE, input, SIGNUP_TTL_SECONDS, { account: `email:${input.email}`, decoy: owner !== null });
  const config = getConfig();
  const message = owner
    ? accountExistsEmail({ to: input.email, rpName: config.rpName, signInUrl: new URL("/login", config.appUrl).href })
    : signupVerificationEmail({ to: input.email, code, link: signupLink(secret), rpName: config.rpName, minutes: SIGNUP_TTL_SECONDS / 60 });
  context.schedule(() => sendMail(message));
  return { ok: true, id };
}

function signupLink(secret: string): string {
  const link = new URL("/signup/verify", getConfig().appUrl);
  link.searchParams.set("token", secret);
  return link.href;
}

/** Proves the email with the typed code or the link's secret, then creates the user. */
export async function proveSignupEmail(id: string | undefined, kind: "code" | "link", value: string): Promise<{ ok: true; user: User } | AttemptFailure> {
  const spent = await spendProof<SignupInput>(NAMESPACE, id, kind, value, PROOF_ERRORS, SIGNUP_TTL_SECONDS);
  if (!spent.ok) return spent;
  const created = await createVerifiedUser(spent.data);
  if (!created.ok) return created;
  const proven: Proven = { stage: "passkey", userId: created.user.id, email: created.user.email };
  await kv().set(provenKey(id!), JSON.stringify(proven), SIGNUP_TTL_SECONDS);
  return { ok: true, user: created.user };
}

/** Finishes a proven sign-up (passkey made, or skipped): returns it once, then it is gone. */
export async function takeProvenSignup(id: string | undefined): Promise<Proven | null> {
  const raw = id ? await kv().take(provenKey(id)) : null;
  return raw ? (JSON.parse(raw) as Proven) : null;
}

/** Abandons a sign-up at whatever stage. */
export async function abandonSignup(id: string | undefined): Promise<void> {
  if (!id) return;
  await Promise.all([dropProof(NAMESPACE, id), kv().del(provenKey(id))]);
}
