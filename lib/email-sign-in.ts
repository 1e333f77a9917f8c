import "server-only";
import { headers } from "next/headers";
import { signInEmail } from "./emails";
import { getConfig } from "./env";
import { randomInt } from "node:crypto";
import { defineEmailedFlow } from "./emailed-flow";
import type { LinkState } from "./emailed-proof";
import { kv } from "./kv";
import { fail, type Result } from "./shared/errors";
import type { PendingStatus } from "./shared/pending";
import { sendMailLater } from "./mail";
import { approvePendingSignIn, askerPendingId, claimPendingSignIn, forgetPendingSignIn, peekPendingSignIn, pendingSignInStatus, refusePendingSignIn, startPendingSignIn } from "./pending-sign-in";
import { clientKey, hit } from "./rate-limit";
import { sha256Hex, TOKEN_PATTERN } from "./secrets";
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
type EmailSignIn = { userId: string | null; email: string | null; typed: string; sentAt: number; approval?: Approvable };
/**
 * The request's handle for approving it from another device (lib/pending-sign-in.ts): `code` goes
 * in the mailed link beside the secret, `number` is what the asking tab shows.
 */
type Approvable = { code: string; number: number };

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
  const issued = await issueSignInEmail(identifier, { client: await clientKey(), requestedBy, approvable: true });
  if (!issued.ok) return issued;
  await signInFlow.keep(issued.id);
  return { ok: true };
}

/**
 * The request itself, for a client and a browser description: limits count per client and per
 * typed name, known or not, so hitting one tells nothing; unknown names get a decoy.
 */
export async function issueSignInEmail(identifier: string, context: { client: string; requestedBy: string; approvable?: boolean }): Promise<Result<{ id: string }>> {
  const typed = identifier.trim();
  if (!(await hit("emailPerClient", context.client))) return fail("rate_limited");
  if (!(await hit("emailPerAddress", typed.toLowerCase()))) return fail("email_rate_limited");
  return { ok: true, id: await newRequest(typed, context.requestedBy, context.approvable) };
}

/**
 * A new request; `approvable` (a browser asking) also starts its approval from another device,
 * for known and unknown names alike (the pending request names no account: the proof does), so
 * the waiting tab looks the same either way.
 */
async function newRequest(typed: string, requestedBy: string, approvable = false): Promise<string> {
  const user = await signInUser(typed);
  const approval = approvable ? await startApproval(requestedBy) : undefined;
  const data: EmailSignIn = { userId: user?.id ?? null, email: user?.email ?? null, typed, sentAt: Date.now(), ...(approval ? { approval } : {}) };
  const account = user ? `user:${user.id}` : `name:${typed.toLowerCase()}`;
  const { id, code, link } = await signInFlow.issue(data, { account, decoy: !user });
  if (approval) await kv().set(approvalProofKey(approval.code), id, EMAIL_SIGNIN_TTL_SECONDS);
  if (user) mailSignIn(user.email, code, approvalLink(link, approval), requestedBy);
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

/**
 * This browser's pending request: what it was typed as, when it was sent, and the number its tab
 * shows for an approval from another device (real or decoy alike).
 */
export async function pendingSignInEmail(): Promise<{ typed: string; sentAt: number; number?: number } | null> {
  const data = await signInFlow.pending();
  return data ? { typed: data.typed, sentAt: data.sentAt, number: data.approval?.number } : null;
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
    await signInFlow.keep(await newRequest(pending.typed, requestedBy, pending.approval !== undefined));
    return { ok: true };
  }
  if (user) mailSignIn(user.email, added.code, approvalLink(added.link, pending.approval), requestedBy);
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
  const user = await usableUser(spent.data);
  if (!user) return fail("email_signin_expired");
  await completeSignIn(user, { method: "email" });
  await forgetPendingSignIn("email");
  return { ok: true };
}

/*
 * Approving from another device (number matching). The mailed link carries the proof's secret
 * and the pending request's code (`r`). Opened in a browser without this request's cookie, its
 * page shows what is asking and three numbers; choosing one (a POST) spends the proof with the
 * link's secret, the only thing that authorises, and then approves the request when the number
 * is the one the asking tab shows, or ends it when not. The asking tab collects the approval and
 * is signed in there, as by its own link; the approving browser gets no session.
 */
const approvalProofKey = (code: string) => `emailsignin-approval:${sha256Hex(code)}`;
const approvalOutcomeKey = (code: string) => `emailsignin-approval:${sha256Hex(code)}:outcome`;
/** How long an approval's end is remembered, so its page says "used" or "stopped" instead of "expired". */
const APPROVAL_OUTCOME_SECONDS = 60 * 60;

async function startApproval(requestedBy: string): Promise<Approvable> {
  const number = randomInt(10, 100);
  const { code } = await startPendingSignIn("email", { userId: null, requestedBy, number }, EMAIL_SIGNIN_TTL_SECONDS);
  return { code, number };
}

function approvalLink(link: string, approval: Approvable | undefined): string {
  if (!approval) return link;
  const url = new URL(link);
  url.searchParams.set("r", approval.code);
  return url.href;
}

/**
 * The three numbers the approving page offers: the right one and two others, derived from the
 * request's code so every GET shows the same page without storing anything.
 */
export function approvalChoices(code: string, number: number): number[] {
  const digest = Buffer.from(sha256Hex(`choices:${code}`), "hex");
  const others: number[] = [];
  for (const byte of digest) {
    const candidate = 10 + (byte % 90);
    if (candidate !== number && !others.includes(candidate)) others.push(candidate);
    if (others.length === 2) break;
  }
  const choices = [...others];
  choices.splice(digest[31]! % 3, 0, number);
  return choices;
}

/** What the approving page can say for a link's request code: ready (with what is asking), used, stopped, or expired. */
export type ApprovalView =
  | { state: "ready"; requestedBy: string; askedAt: number; choices: number[] }
  | { state: "approved" | "refused" | "ended" | "expired" };

/** A read only: opening the link (GET, a mail scanner) changes nothing. */
export async function approvalView(code: string): Promise<ApprovalView> {
  if (!TOKEN_PATTERN.test(code)) return { state: "expired" };
  const [proofId, outcome, request] = await Promise.all([kv().get(approvalProofKey(code)), kv().get(approvalOutcomeKey(code)), peekPendingSignIn("email", code)]);
  if (outcome === "approved" || outcome === "refused") return { state: outcome };
  const proof = proofId ? await signInFlow.stateOf(proofId) : "gone";
  if (proof === "ended") return { state: "ended" };
  if (!request || proof !== "pending" || request.number === undefined) return { state: proof === "used" ? "approved" : "expired" };
  return { state: "ready", requestedBy: request.requestedBy, askedAt: request.createdAt, choices: approvalChoices(code, request.number) };
}

/**
 * The choice on the approving page. Limited per client and per account before any argon2 work.
 * The link's secret spends the proof (so a choice is made once, and a wrong secret counts as a
 * wrong try); then the right number approves the asking tab's request and a wrong one ends it.
 */
export async function approveSignInEmail(code: string, secret: string, number: number): Promise<Result<{ outcome: "approved" | "refused" }>> {
  if (!(await hit("emailApprovalPerClient", await clientKey()))) return fail("rate_limited");
  const proofId = TOKEN_PATTERN.test(code) ? await kv().get(approvalProofKey(code)) : null;
  const request = proofId ? await peekPendingSignIn("email", code) : null;
  const pending = proofId && request ? await signInFlow.peek(proofId) : null;
  if (!proofId || !request || !pending) return fail("sign_in_request_expired");
  if (!(await hit("emailApprovalPerAccount", pending.userId ?? `name:${pending.typed.toLowerCase()}`))) return fail("rate_limited");
  const spent = await signInFlow.finish("link", secret, proofId);
  if (!spent.ok) return spent.error === "email_signin_expired" ? fail("sign_in_request_expired") : spent;
  const user = await usableUser(spent.data);
  if (user && number === request.number) {
    const approved = await approvePendingSignIn("email", code, { userId: user.id, method: "email" });
    if (!approved.ok) return approved;
    await kv().set(approvalOutcomeKey(code), "approved", APPROVAL_OUTCOME_SECONDS);
    return { ok: true, outcome: "approved" };
  }
  await refusePendingSignIn("email", code);
  await kv().set(approvalOutcomeKey(code), "refused", APPROVAL_OUTCOME_SECONDS);
  return user ? { ok: true, outcome: "refused" } : fail("sign_in_request_expired");
}

/** Where this browser's request stands for approval elsewhere (the waiting tab asks about every second). A read only. */
export async function signInApprovalStatus(): Promise<PendingStatus> {
  return pendingSignInStatus("email", await askerPendingId("email"));
}

/** Collects an approval in the browser that asked, once, and signs it in: an email sign-in, held and alerted as by its own link. */
export async function claimSignInApproval(): Promise<Result> {
  const claimed = await claimPendingSignIn("email", await askerPendingId("email"));
  if (!claimed.ok) return claimed;
  const user = await findUserById(claimed.approval.userId);
  if (!user || user.emailSigninDisabled) return fail("email_signin_expired");
  await completeSignIn(user, { method: "email" });
  return { ok: true };
}

/** The account an email proof may sign in to: still there, still at the address it was mailed to, email sign-in allowed. */
async function usableUser({ userId, email }: EmailSignIn) {
  const user = userId ? await findUserById(userId) : null;
  // Mailed to an address the account no longer has: whoever reads that mailbox now isn't the owner.
  return user && user.email === email && !user.emailSigninDisabled ? user : null;
}
