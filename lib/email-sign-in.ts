import "server-only";
import { headers } from "next/headers";
import { signInEmail } from "./emails";
import { getConfig } from "./env";
import { defineEmailedFlow } from "./emailed-flow";
import type { LinkState } from "./emailed-proof";
import { fail, type Result } from "./shared/errors";
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

/**
 * What a request unlocks, and what was typed to ask for it (the only thing pages echo). Requests
 * for names with no account are decoys: same shape, same argon2 work, never spendable, so nothing
 * tells them apart. `email` is the address the proof was mailed to: it works only while that is
 * still the account's address.
 */
type EmailSignIn = { userId: string | null; email: string | null; typed: string; sentAt: number };

export const signInFlow = defineEmailedFlow<EmailSignIn>({
  namespace: "emailsignin",
  ttlSeconds: EMAIL_SIGNIN_TTL_SECONDS,
  cookie: "email-signin",
  errors: { expired: "email_signin_expired", badLink: "link_invalid" },
  linkPath: "/login/email",
  page: (minutes) => ({
    used: { title: "This link was already used", description: "It signed this browser in earlier. To sign in again, ask for a new link or use your passkey.", action: { href: "/login", label: "Sign in" } },
    expired: { title: "This link has expired", description: `Sign-in links work for ${minutes} minutes, once. Ask for a new one.`, action: { href: "/login", label: "Ask for a new link" } },
    ended: { title: "This link no longer works", description: "Too many wrong codes were typed for this request, so it was ended. Ask for a new link.", action: { href: "/login", label: "Ask for a new link" } },
    elsewhere: {
      title: "Open this link where you asked for it",
      description: `A sign-in link works only in the browser where it was asked for: open it there, or type the code from the email in that browser. Links also expire after ${minutes} minutes and work once.`,
      action: { href: "/login", label: "Sign in here instead" },
    },
    moved_on: { title: "You're signed in", description: "This link was used to sign you in.", action: { href: "/account", label: "Go to your account" } },
    signed_in: { title: "You're already signed in", description: "This browser is signed in, so the link isn't needed.", action: { href: "/account", label: "Go to your account" } },
    incomplete: { title: "This link is incomplete", description: "Copy the whole link from the email, or type the code in the browser where you asked for it.", action: { href: "/login", label: "Sign in" } },
  }),
});

/**
 * "Email me a sign-in link": whatever the name, the same answer and the same page; mail goes out
 * after the response, so its sending time can't tell either. This browser keeps the request's id.
 */
export async function requestSignInEmail(identifier: string): Promise<Result> {
  const requestedBy = summarizeUserAgent((await headers()).get("user-agent"));
  const issued = await issueSignInEmail(identifier, { client: await clientKey(), requestedBy });
  if (!issued.ok) return issued;
  await signInFlow.keep(issued.id);
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
  const { id, code, link } = await signInFlow.issue(data, { account, decoy: !user });
  if (user) mailSignIn(user.email, code, link, requestedBy);
  return id;
}

/** The account a typed name may sign in to by email; passkey-only mode is answered as no account. */
async function signInUser(typed: string) {
  const found = await findUserByIdentifier(typed);
  return found?.emailSigninDisabled ? null : found;
}

function mailSignIn(to: string, code: string, link: string, requestedBy: string): void {
  sendMailLater(signInEmail({ to, code, link, rpName: getConfig().rpName, minutes: EMAIL_SIGNIN_TTL_SECONDS / 60, requestedBy }));
}

/** This browser's pending request: what it was typed as and when it was sent (real or decoy alike). */
export async function pendingSignInEmail(): Promise<{ typed: string; sentAt: number } | null> {
  const data = await signInFlow.pending();
  return data ? { typed: data.typed, sentAt: data.sentAt } : null;
}

/**
 * "Send a new code": one more code and link for this browser's request, under the same limits as
 * the first; the ones already mailed keep working (see reissueProof). Known and unknown names take
 * the same steps (the lookup again, a decoy code for no account). Past MAX_CODES_PER_PROOF, a new
 * request replaces this one.
 */
export async function resendSignInEmail(): Promise<Result> {
  const pending = await signInFlow.pending();
  if (!pending) return fail("email_signin_expired");
  const client = await clientKey();
  if (!(await hit("emailPerClient", client))) return fail("rate_limited");
  if (!(await hit("emailPerAddress", pending.typed.toLowerCase()))) return fail("email_rate_limited");
  const found = await signInUser(pending.typed);
  // Still the account and address the request was made for; otherwise nothing is mailed.
  const user = found && found.id === pending.userId && found.email === pending.email ? found : null;
  const requestedBy = summarizeUserAgent((await headers()).get("user-agent"));
  const added = await signInFlow.resend((data) => ({ ...data, sentAt: Date.now() }), { decoy: !user });
  if (!added) {
    await signInFlow.keep(await newRequest(pending.typed, requestedBy));
    return { ok: true };
  }
  if (user) mailSignIn(user.email, added.code, added.link, requestedBy);
  return { ok: true };
}

/** What the emailed link's page can say in this browser (see LinkState); signed in or not is the page's. */
export async function signInLinkState(): Promise<{ state: LinkState; typed?: string }> {
  const { state, data } = await signInFlow.linkState();
  return state === "ready" ? { state, typed: data?.typed } : { state };
}

/** Spends this browser's request with the typed code or the link's secret, and signs in. */
export async function finishSignInEmail(kind: "code" | "link", value: string): Promise<Result> {
  const spent = await signInFlow.finish(kind, value);
  if (!spent.ok) return spent;
  const { userId, email } = spent.data;
  const user = userId ? await findUserById(userId) : null;
  // Mailed to an address the account no longer has: whoever reads that mailbox now isn't the owner.
  if (!user || user.email !== email || user.emailSigninDisabled) return fail("email_signin_expired");
  await completeSignIn(user, { method: "email" });
  return { ok: true };
}
