import "server-only";
import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import { headers } from "next/headers";
import { z } from "zod";
import { accountExistsEmail, signupVerificationEmail } from "./emails";
import { undeliverableSince } from "./delivery";
import { defineEmailedFlow } from "./emailed-flow";
import type { LinkState } from "./emailed-proof";
import { getConfig } from "./env";
import { fail, type Result } from "./shared/errors";
import { kv } from "./kv";
import { sendMailLater } from "./mail";
import { passkeyUse } from "./passkey-offer";
import { forgetUnusedPasskey, savePasskey } from "./passkeys";
import { clientKey, hit } from "./rate-limit";
import { endSession } from "./session";
import { completeSignIn } from "./sign-in";
import { createVerifiedUser, findUserByEmail, findUserById, normalizeEmail, usernameTaken } from "./users";
import { registrationOptions, verifyRegistration, type AuthenticatorChoice } from "./webauthn";

/**
 * Sign-up: details, then the email proven by a code or link (in this browser), then the first
 * passkey, or "Skip for now". No account exists until the address is proven. This browser's
 * sign-up is found through its "signup" cookie, a random id.
 */
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
    .min(1, "Choose a username.")
    .min(3, "Use at least 3 characters.")
    .max(32, "Use at most 32 characters.")
    .regex(/^[a-zA-Z0-9_.-]+$/, "Use only letters a-z, digits and . _ -")
    .transform((v) => v.toLowerCase()),
  email: z
    .string()
    .trim()
    .min(1, "Enter your email address.")
    .max(254, "That email address is too long.")
    .pipe(z.email("Enter a valid email address, like you@example.com."))
    .transform(normalizeEmail),
});

export type SignupInput = z.output<typeof signupInputSchema>;
type Details = SignupInput & { sentAt: number };

/** Where this browser's sign-up stands: the email to prove, or (proven) the passkey to make. */
export type PendingSignup = ({ stage: "email" } & Details) | { stage: "passkey"; userId: string; email: string };
type Proven = Extract<PendingSignup, { stage: "passkey" }>;

export const signupFlow = defineEmailedFlow<Details>({
  namespace: "signup",
  ttlSeconds: SIGNUP_TTL_SECONDS,
  cookie: "signup",
  errors: { expired: "signup_expired", badLink: "signup_expired" },
  linkPath: "/signup/verify",
  codeEnds: ["username_taken", "email_taken"],
  page: (minutes) => ({
    used: { title: "This link was already used", description: "Your email was confirmed and your account exists. Sign in to use it.", action: { href: "/login", label: "Sign in" } },
    expired: { title: "This sign-up link has expired", description: `Sign-up links work for ${minutes} minutes, and nothing is created until one is used. Start again.`, action: { href: "/signup", label: "Start again" } },
    ended: { title: "This link no longer works", description: "Too many wrong codes were typed, so this sign-up was ended and nothing was created. Start again.", action: { href: "/signup", label: "Start again" } },
    elsewhere: {
      title: "Open this link where you signed up",
      description: "This link works only in the browser where you started signing up: open it there, or type the code from the email in that browser.",
      action: { href: "/signup", label: "Go to sign-up" },
    },
    moved_on: { title: "Your email is confirmed", description: "Carry on where you left off: create your passkey.", action: { href: "/signup", label: "Continue" } },
    signed_in: { title: "You're already signed in", description: "This browser is signed in, so the link isn't needed.", action: { href: "/account", label: "Go to your account" } },
    incomplete: { title: "This link is incomplete", description: "Copy the whole link from the email, or type the code where you signed up.", action: { href: "/signup", label: "Go to sign-up" } },
  }),
});
// The proven stage lives under its own key, so a parallel proof that loses the race can never
// take the record the winner just wrote.
const provenKey = (id: string) => `signup:${id}:proven`;
const signupCookie = signupFlow.cookie;

export async function getPendingSignup(): Promise<PendingSignup | null> {
  const id = await signupCookie().get();
  if (!id) return null;
  const [proven, details] = await Promise.all([kv().get(provenKey(id)), signupFlow.pending()]);
  if (proven) return JSON.parse(proven) as Proven;
  return details ? { stage: "email", ...details } : null;
}

/**
 * Starts a sign-up: emails one code and one link, or, when the address already has an account,
 * tells its owner instead. The answer here is the same either way (a decoy proof that can never
 * be spent), so the form never says an address is taken. Usernames are public, so a taken one is
 * said, within the per-client limit.
 */
export async function startSignup(input: SignupInput): Promise<Result> {
  if (!(await hit("signupPerClient", await clientKey()))) return fail("rate_limited");
  if (await usernameTaken(input.username)) return fail("username_taken");
  if (!(await hit("verificationPerEmail", input.email))) return fail("rate_limited");
  await newSignup(input);
  return { ok: true };
}

async function newSignup(input: SignupInput): Promise<void> {
  const owner = await findUserByEmail(input.email);
  const details: Details = { ...input, sentAt: Date.now() };
  const { id, code, link } = await signupFlow.issue(details, { account: `email:${input.email}`, decoy: owner !== null });
  mailSignup(input.email, owner !== null, code, link);
  await signupFlow.keep(id);
}

function mailSignup(email: string, taken: boolean, code: string, link: string): void {
  const config = getConfig();
  sendMailLater(
    taken
      ? accountExistsEmail({ to: email, rpName: config.rpName, signInUrl: new URL("/login", config.appUrl).href })
      : signupVerificationEmail({ to: email, code, link, rpName: config.rpName, minutes: SIGNUP_TTL_SECONDS / 60 }),
  );
}

/**
 * "Send a new code": one more code and link for this sign-up, under the same limits as the first;
 * the ones already mailed keep working (see reissueProof). Past MAX_CODES_PER_PROOF, or once the
 * sign-up has expired meanwhile, the same details start a new sign-up replacing this one.
 */
export async function resendSignupEmail(): Promise<Result> {
  const pending = await getPendingSignup();
  if (pending?.stage !== "email") return fail("signup_expired");
  const { name, username, email } = pending;
  if (!(await hit("signupPerClient", await clientKey()))) return fail("rate_limited");
  if (!(await hit("verificationPerEmail", email))) return fail("rate_limited");
  const taken = (await findUserByEmail(email)) !== null;
  const added = await signupFlow.resend((details) => ({ ...details, sentAt: Date.now() }), { decoy: taken });
  if (added) {
    mailSignup(email, taken, added.code, added.link);
    return { ok: true };
  }
  await signupFlow.drop();
  await newSignup({ name, username, email });
  return { ok: true };
}

/**
 * Proves the email with the typed code or the link's secret, then creates the user. Already
 * proven (the link was pressed in another tab) counts as done: the page moves on.
 */
export async function proveSignupEmail(kind: "code" | "link", value: string): Promise<Result> {
  const id = await signupCookie().get();
  if (id && (await kv().get(provenKey(id)))) return { ok: true };
  const spent = await signupFlow.finish(kind, value);
  if (!spent.ok) return spent;
  const { name, username, email } = spent.data;
  const created = await createVerifiedUser({ name, username, email });
  if (!created.ok) return created;
  const proven: Proven = { stage: "passkey", userId: created.user.id, email: created.user.email };
  await kv().set(provenKey(id!), JSON.stringify(proven), SIGNUP_TTL_SECONDS);
  return { ok: true };
}

/**
 * Whether mail to this sign-up's address bounced (or is suppressed) since it was sent, as Resend
 * reported. Sign-up mails the typed address whether or not it has an account, so this says
 * nothing about accounts.
 */
export async function signupUndeliverable(): Promise<boolean> {
  const pending = await getPendingSignup();
  return pending?.stage === "email" && (await undeliverableSince(pending.email, pending.sentAt));
}

/** What the emailed link's page can say in this browser; `proven`: the sign-up waits at its passkey step. */
export async function signupLinkState(): Promise<{ state: LinkState; email?: string; proven?: boolean }> {
  const pending = await getPendingSignup();
  if (pending?.stage === "email") return { state: "ready", email: pending.email };
  if (pending?.stage === "passkey") return { state: "used", proven: true };
  return { state: (await signupFlow.linkState()).state };
}

async function provenUser() {
  const pending = await getPendingSignup();
  return pending?.stage === "passkey" ? findUserById(pending.userId) : null;
}

/** Options for the new account's first passkey. */
export async function signupPasskeyOptions(choice?: AuthenticatorChoice): Promise<Result<{ options: PublicKeyCredentialCreationOptionsJSON }>> {
  const user = await provenUser();
  if (!user) return fail("signup_expired");
  return { ok: true, options: await registrationOptions(user, [], choice) };
}

/**
 * Stores the first passkey, ends the sign-up and signs this browser in with that passkey, in the
 * same request (the page posts the response as a plain form, see app/signup/actions.ts).
 */
export async function signupWithPasskey(response: unknown): Promise<Result> {
  const user = await provenUser();
  if (!user) return fail("signup_expired");
  const verified = await verifyRegistration(user.id, response);
  if (!verified.ok) return verified;
  const saved = await savePasskey(user.id, verified.registration, { sessionId: null, userAgent: (await headers()).get("user-agent"), usedNow: true });
  if (!saved.ok) return saved;
  // Ending the sign-up needs the store: if that fails, or another tab ended it first, the passkey
  // goes again, so a browser told "try again" finds the account as it was.
  let ended;
  try {
    ended = await takeProven();
  } catch (error) {
    await forgetUnusedPasskey(user.id, saved.passkey.id);
    throw error;
  }
  if (!ended) {
    await forgetUnusedPasskey(user.id, saved.passkey.id);
    return fail("signup_expired");
  }
  const use = passkeyUse(verified.registration.attachment, verified.registration.transports);
  try {
    await completeSignIn(user, { method: "passkey", passkeyId: saved.passkey.id, firstSignIn: true, use });
  } catch (error) {
    // The same promise as above once the sign-up has ended: the browser is told to try again, so
    // it must find the step where it was. Best effort: the backend that failed may fail these too.
    await Promise.allSettled([endSession(), forgetUnusedPasskey(user.id, saved.passkey.id), putProvenBack(ended)]);
    throw error;
  }
  return { ok: true };
}

/** "Skip for now": signed in by the email proof alone. */
export async function skipSignupPasskey(): Promise<Result> {
  const ended = await takeProven();
  const user = ended && (await findUserById(ended.proven.userId));
  if (!user) return fail("signup_expired");
  try {
    await completeSignIn(user, { method: "email", firstSignIn: true });
  } catch (error) {
    await Promise.allSettled([endSession(), putProvenBack(ended)]);
    throw error;
  }
  return { ok: true };
}

/** Ends a proven sign-up, once: a second finish (double submit, another tab) gets nothing. */
async function takeProven(): Promise<{ id: string; proven: Proven } | null> {
  const id = await signupCookie().get();
  const raw = id ? await kv().take(provenKey(id)) : null;
  return id && raw ? { id, proven: JSON.parse(raw) as Proven } : null;
}

async function putProvenBack({ id, proven }: { id: string; proven: Proven }): Promise<void> {
  await kv().set(provenKey(id), JSON.stringify(proven), SIGNUP_TTL_SECONDS);
}

/** Abandons this browser's sign-up at whatever stage; returns what was typed, to fill the form again. */
export async function abandonSignup(): Promise<{ name: string | null; username: string } | null> {
  const id = await signupCookie().get();
  if (!id) return null;
  const pending = await getPendingSignup();
  await Promise.all([signupFlow.drop(), kv().del(provenKey(id)), signupCookie().clear()]);
  return pending?.stage === "email" ? { name: pending.name, username: pending.username } : null;
}
