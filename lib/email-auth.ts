import "server-only";
import { and, eq, isNull, lt } from "drizzle-orm";
import { getDb } from "@/db/client";
import { passkeys, sessions, users, type User } from "@/db/schema";
import { recordActivity } from "./activity";
import { signInEmail } from "./emails";
import { getConfig } from "./env";
import { issueProof, peekProof, spendProof } from "./emailed-proof";
import { fail, type AttemptFailure } from "./errors";
import { sendMail } from "./mail";
import { hit } from "./rate-limit";
import { findUserByIdentifier, normalizeEmail } from "./users";

export const EMAIL_SIGNIN_TTL_SECONDS = 10 * 60;

/**
 * What a sign-in request unlocks. Requests for addresses with no account are decoys: same shape,
 * same argon2 work, never spendable, so nothing tells them apart. Throttled requests are never
 * spendable either.
 */
type EmailSignIn = { userId: string | null; email: string };

const NAMESPACE = "emailsignin";
const PROOF_ERRORS = { expired: "email_signin_expired", badLink: "link_invalid" } as const;

/**
 * Asks for a sign-in link and code. Whatever the identifier, the caller gets a request id for this
 * browser's cookie and the same answer; mail is handed to `schedule` (Next's `after`) so sending
 * time can't reveal whether the account exists.
 */
export async function requestEmailSignIn(
  identifier: string,
  context: { client: string; requestedBy: string; schedule: (task: () => Promise<void>) => void },
): Promise<{ id: string }> {
  const key = identifier.trim().toLowerCase();
  const [clientOk, addressOk] = await Promise.all([hit("emailPerClient", context.client), hit("emailPerAddress", key)]);
  const user = await findUserByIdentifier(identifier);
  const real = user !== null && clientOk && addressOk;
  const data: EmailSignIn = { userId: real ? user.id : null, email: user?.email ?? normalizeEmail(identifier) };
  // Throttled requests (the same for every address) skip the argon2 work: floods can't buy it.
  const kind = !clientOk || !addressOk ? "throttled" : real ? "real" : "decoy";
  const { id, code, secret } = await issueProof(NAMESPACE, data, EMAIL_SIGNIN_TTL_SECONDS, { kind });

  if (real) {
    const config = getConfig();
    const link = new URL("/login/email", config.appUrl);
    link.searchParams.set("token", secret);
    const message = signInEmail({ to: user.email, code, link: link.href, rpName: config.rpName, minutes: EMAIL_SIGNIN_TTL_SECONDS / 60, requestedBy: context.requestedBy });
    context.schedule(() => sendMail(message));
  }
  return { id };
}

/** The address a pending request in this browser is for (shown as "Sign in as …"); null if none. */
export async function pendingEmailSignIn(id: string | undefined): Promise<{ email: string } | null> {
  const data = await peekProof<EmailSignIn>(NAMESPACE, id);
  return data?.userId ? { email: data.email } : null;
}

/**
 * Spends a request with the typed code or the link's secret (see spendProof). An account whose
 * email was never proven is proven now, and what was made before the proof (passkeys, sessions)
 * is removed: it may have been planted by someone else.
 */
export async function consumeEmailSignIn(
  id: string | undefined,
  kind: "code" | "link",
  value: string,
): Promise<{ ok: true; user: User; cleanedUp: boolean } | AttemptFailure> {
  const spent = await spendProof<EmailSignIn>(NAMESPACE, id, kind, value, PROOF_ERRORS, EMAIL_SIGNIN_TTL_SECONDS);
  if (!spent.ok) return spent;
  const record = spent.data;
  if (!record.userId) return fail("email_signin_expired");
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.id, record.userId));
  if (!user) return fail("email_signin_expired");
  let cleanedUp = false;
  if (!user.emailVerifiedAt) {
    const now = new Date();
    await db.transaction(async (tx) => {
      await tx.delete(passkeys).where(and(eq(passkeys.userId, user.id), lt(passkeys.createdAt, now)));
      await tx.delete(sessions).where(and(eq(sessions.userId, user.id), lt(sessions.createdAt, now)));
      await tx.update(users).set({ emailVerifiedAt: now }).where(and(eq(users.id, user.id), isNull(users.emailVerifiedAt)));
      await recordActivity(user.id, "email_verified", { removedUnprovenAccess: "true" }, tx);
    });
    user.emailVerifiedAt = now;
    cleanedUp = true;
  }
  return { ok: true, user, cleanedUp };
}
