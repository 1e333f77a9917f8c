import "server-only";
import { eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { users, type User } from "@/db/schema";
import { signInEmail } from "./emails";
import { getConfig } from "./env";
import { issueProof, peekProof, spendProof } from "./emailed-proof";
import { fail, type AttemptFailure, type ErrorCode } from "./errors";
import { sendMail } from "./mail";
import { hit } from "./rate-limit";
import { findUserByIdentifier } from "./users";

export const EMAIL_SIGNIN_TTL_SECONDS = 10 * 60;

/**
 * What a sign-in request unlocks, and what was typed to ask for it (the only thing pages echo).
 * Requests for names with no account are decoys: same shape, same argon2 work, never spendable,
 * so nothing tells them apart. `email` is the address the proof was mailed to: it works only
 * while that is still the account's address.
 */
type EmailSignIn = { userId: string | null; email: string | null; typed: string };

const NAMESPACE = "emailsignin";
const PROOF_ERRORS = { expired: "email_signin_expired", badLink: "link_invalid" } as const;

/**
 * Asks for a sign-in link and code. Whatever the identifier, the caller gets a request id for this
 * browser's cookie and the same answer; mail is handed to `schedule` (Next's `after`) so sending
 * time can't reveal whether the account exists. Limits count per client and per typed name,
 * known or not, so hitting one tells nothing either.
 */
export async function requestEmailSignIn(
  identifier: string,
  context: { client: string; requestedBy: string; schedule: (task: () => Promise<void>) => void },
): Promise<{ ok: true; id: string } | { ok: false; error: ErrorCode }> {
  const typed = identifier.trim();
  if (!(await hit("emailPerClient", context.client))) return fail("rate_limited");
  if (!(await hit("emailPerAddress", typed.toLowerCase()))) return fail("email_rate_limited");
  const user = await findUserByIdentifier(typed);
  const data: EmailSignIn = { userId: user?.id ?? null, email: user?.email ?? null, typed };
  const account = user ? `user:${user.id}` : `name:${typed.toLowerCase()}`;
  const { id, code, secret } = await issueProof(NAMESPACE, data, EMAIL_SIGNIN_TTL_SECONDS, { account, decoy: !user });

  if (user) {
    const config = getConfig();
    const link = new URL("/login/email", config.appUrl);
    link.searchParams.set("token", secret);
    const message = signInEmail({ to: user.email, code, link: link.href, rpName: config.rpName, minutes: EMAIL_SIGNIN_TTL_SECONDS / 60, requestedBy: context.requestedBy });
    context.schedule(() => sendMail(message));
  }
  return { ok: true, id };
}

/** What this browser's pending request was typed as (real or decoy alike); null if none. */
export async function pendingEmailSignIn(id: string | undefined): Promise<{ typed: string } | null> {
  const data = await peekProof<EmailSignIn>(NAMESPACE, id);
  return data ? { typed: data.typed } : null;
}

/** Spends a request with the typed code or the link's secret (see spendProof). */
export async function consumeEmailSignIn(id: string | undefined, kind: "code" | "link", value: string): Promise<{ ok: true; user: User } | AttemptFailure> {
  const spent = await spendProof<EmailSignIn>(NAMESPACE, id, kind, value, PROOF_ERRORS, EMAIL_SIGNIN_TTL_SECONDS);
  if (!spent.ok) return spent;
  const { userId, email } = spent.data;
  if (!userId) return fail("email_signin_expired");
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  // Mailed to an address the account no longer has: whoever reads that mailbox now isn't the owner.
  if (!user || user.email !== email) return fail("email_signin_expired");
  return { ok: true, user };
}
