import "server-only";
import { headers } from "next/headers";
import { signInEmail } from "./emails";
import { getConfig } from "./env";
import { issueProof, linkState, peekProof, reissueProof, spendProof, type LinkState } from "./emailed-proof";
import { fail, type Result } from "./shared/errors";
import { pointerCookie } from "./cookies";
import { sendMailLater } from "./mail";
import { clientKey, hit } from "./rate-limit";
import { completeSignIn } from "./sign-in";
import { summarizeUserAgent } from "./user-agent";
import { findUserById, findUserByIdentifier } from "./users";

/**
 * Sign-in by an emailed link or code, on a device without a passkey. The link and code work only
 * in the browser that asked (its "email-signin" cookie holds the request's id), once, for 10
 * minutes. Opening the link spends nothing; pressing its page's button does.
 */
export const EMAIL_SIGNIN_TTL_SECONDS = 10 * 60;
/** The cookie outlives the request, so its link page can still say "used" or "expired". */
const COOKIE_TTL_SECONDS = 60 * 60;

/**
 * What a request unlocks, and what was typed to ask for it (the only thing pages echo). Requests
 * for names with no account are decoys: same shape, same argon2 work, never spendable, so nothing
 * tells them apart. `email` is the address the proof was mailed to: it works only while that is
 * still the account's address.
 */
type EmailSignIn = { userId: string | null; email: string | null; typed: string; sentAt: number };

const NAMESPACE = "emailsignin";
const PROOF_ERRORS = { expired: "email_signin_expired", badLink: "link_invalid" } as const;
const requestCookie = () => pointerCookie("email-signin", COOKIE_TTL_SECONDS);

/**
 * "Email me a sign-in link": whatever the name, the same answer and the same page; mail goes out
 * after the response, so its sending time can't tell either. This browser keeps the request's id.
 */
export async function requestSignInEmail(identifier: string): Promise<Result> {
  const requestedBy = summarizeUserAgent((await headers()).get("user-agent"));
  const issued = await issueSignInEmail(identifier, { client: await clientKey(), requestedBy });
  if (!issued.ok) return issued;
  await requestCookie().set(issued.id);
  return { ok: true };
}

/**
 * The request itself, for a client and a browser description: limits count per client and per
 * typed name, known or not, so hitting one tells nothing; unknown names get a decoy.
 */
export async function issueSignInEmail(identifier: string, context: { client: string; requestedBy: string }): Promise<Result<{ id: string }>> {
  const typed = identifier.trim();
  if (!(await hit("emailPerClient", context.client))) return fail("rate_limited");
  if (!(await hit("emailPerAddress", typed.toLowerCase()))) return fail("email_rate_limited");
  return { ok: true, id: await newRequest(typed, context.requestedBy) };
}

async function newRequest(typed: string, requestedBy: string): Promise<string> {
  const user = await signInUser(typed);
  const data: EmailSignIn = { userId: user?.id ?? null, email: user?.email ?? null, typed, sentAt: Date.now() };
  const account = user ? `user:${user.id}` : `name:${typed.toLowerCase()}`;
  const { id, code, secret } = await issueProof(NAMESPACE, data, EMAIL_SIGNIN_TTL_SECONDS, { account, decoy: !user });
  if (user) mailSignIn(user.email, code, secret, requestedBy);
  return id;
}

/** The account a typed name may sign in to by email; passkey-only mode is answered as no account. */
async function signInUser(typed: string) {
  const found = await findUserByIdentifier(typed);
  return found?.emailSigninDisabled ? null : found;
}

function mailSignIn(to: string, code: string, secret: string, requestedBy: string): void {
  const config = getConfig();
  const link = new URL("/login/email", config.appUrl);
  link.searchParams.set("token", secret);
  sendMailLater(signInEmail({ to, code, link: link.href, rpName: config.rpName, minutes: EMAIL_SIGNIN_TTL_SECONDS / 60, requestedBy }));
}

/** This browser's pending request: what it was typed as and when it was sent (real or decoy alike). */
export async function pendingSignInEmail(): Promise<{ typed: string; sentAt: number } | null> {
  const data = await peekProof<EmailSignIn>(NAMESPACE, await requestCookie().get());
  return data ? { typed: data.typed, sentAt: data.sentAt } : null;
}

/**
 * "Send a new code": one more code and link for this browser's request, under the same limits as
 * the first; the ones already mailed keep working (see reissueProof). Known and unknown names take
 * the same steps (the lookup again, a decoy code for no account). Past MAX_CODES_PER_PROOF, a new
 * request replaces this one.
 */
export async function resendSignInEmail(): Promise<Result> {
  const id = await requestCookie().get();
  const pending = await peekProof<EmailSignIn>(NAMESPACE, id);
  if (!pending) return fail("email_signin_expired");
  const client = await clientKey();
  if (!(await hit("emailPerClient", client))) return fail("rate_limited");
  if (!(await hit("emailPerAddress", pending.typed.toLowerCase()))) return fail("email_rate_limited");
  const found = await signInUser(pending.typed);
  // Still the account and address the request was made for; otherwise nothing is mailed.
  const user = found && found.id === pending.userId && found.email === pending.email ? found : null;
  const requestedBy = summarizeUserAgent((await headers()).get("user-agent"));
  const added = await reissueProof<EmailSignIn>(NAMESPACE, id, EMAIL_SIGNIN_TTL_SECONDS, (data) => ({ ...data, sentAt: Date.now() }), { decoy: !user });
  if (!added) {
    await requestCookie().set(await newRequest(pending.typed, requestedBy));
    return { ok: true };
  }
  if (user) mailSignIn(user.email, added.code, added.secret, requestedBy);
  return { ok: true };
}

/** What the emailed link's page can say in this browser (see LinkState); signed in or not is the page's. */
export async function signInLinkState(): Promise<{ state: LinkState; typed?: string }> {
  const id = await requestCookie().get();
  const state = await linkState(NAMESPACE, id);
  return state === "ready" ? { state, typed: (await peekProof<EmailSignIn>(NAMESPACE, id))?.typed } : { state };
}

/** Spends this browser's request with the typed code or the link's secret, and signs in. */
export async function finishSignInEmail(kind: "code" | "link", value: string): Promise<Result> {
  const spent = await spendProof<EmailSignIn>(NAMESPACE, await requestCookie().get(), kind, value, PROOF_ERRORS, EMAIL_SIGNIN_TTL_SECONDS);
  if (!spent.ok) return spent;
  const { userId, email } = spent.data;
  const user = userId ? await findUserById(userId) : null;
  // Mailed to an address the account no longer has: whoever reads that mailbox now isn't the owner.
  if (!user || user.email !== email || user.emailSigninDisabled) return fail("email_signin_expired");
  await completeSignIn(user, { method: "email" });
  return { ok: true };
}
