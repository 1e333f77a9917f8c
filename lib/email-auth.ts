import "server-only";
import { and, eq, isNull, lt } from "drizzle-orm";
import { getDb } from "@/db/client";
import { activity, passkeys, sessions, users, type User } from "@/db/schema";
import { signInEmail } from "./emails";
import { getConfig } from "./env";
import { fail, type AttemptFailure, type ErrorCode } from "./errors";
import { kv } from "./kv";
import { sendMail } from "./mail";
import { hit } from "./rate-limit";
import { CODE_PATTERN, TOKEN_PATTERN, hashSecret, randomCode, randomToken, verifySecret } from "./secrets";
import { findUserByIdentifier, normalizeEmail } from "./users";

export const EMAIL_SIGNIN_TTL_SECONDS = 10 * 60;
export const MAX_EMAIL_ATTEMPTS = 5;

/**
 * A sign-in request in the store. Requests for addresses with no account (or throttled ones) are
 * decoys: same shape, same argon2 work, never a match, so nothing tells them apart.
 */
type EmailSignIn = { userId: string | null; email: string; codeHash: string; secretHash: string };

const requestKey = (id: string) => `emailsignin:${id}`;
const attemptsKey = (id: string) => `emailsignin:${id}:attempts`;

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

  const id = randomToken();
  const code = randomCode();
  const secret = randomToken();
  const [codeHash, secretHash] = await Promise.all([hashSecret(real ? code : randomCode()), hashSecret(real ? secret : randomToken())]);
  const record: EmailSignIn = { userId: real ? user.id : null, email: user?.email ?? normalizeEmail(identifier), codeHash, secretHash };
  await kv().set(requestKey(id), JSON.stringify(record), EMAIL_SIGNIN_TTL_SECONDS);

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
  const raw = id ? await kv().get(requestKey(id)) : null;
  if (!raw) return null;
  const record = JSON.parse(raw) as EmailSignIn;
  return record.userId ? { email: record.email } : null;
}

/**
 * Spends a request with the typed code or the link's secret. Malformed input is refused before
 * any argon2 work; each try counts against five; the record is taken atomically, so one wins.
 * An account whose email was never proven is proven now, and what was made before the proof
 * (passkeys, sessions) is removed: it may have been planted by someone else.
 */
export async function consumeEmailSignIn(
  id: string | undefined,
  kind: "code" | "link",
  value: string,
): Promise<{ ok: true; user: User; cleanedUp: boolean } | AttemptFailure> {
  const badInput: ErrorCode = kind === "code" ? "wrong_code" : "link_invalid";
  if (!id || !TOKEN_PATTERN.test(id)) return fail("email_signin_expired");
  if (!(kind === "code" ? CODE_PATTERN : TOKEN_PATTERN).test(value)) return fail(kind === "code" ? "code_format" : "link_invalid");
  const raw = await kv().get(requestKey(id));
  if (!raw) return fail("email_signin_expired");
  const record = JSON.parse(raw) as EmailSignIn;

  const attempt = await kv().increment(attemptsKey(id), EMAIL_SIGNIN_TTL_SECONDS);
  if (attempt > MAX_EMAIL_ATTEMPTS) {
    await kv().del(requestKey(id));
    return fail("too_many_attempts");
  }
  const matches = await verifySecret(kind === "code" ? record.codeHash : record.secretHash, value);
  if (!matches || !record.userId) {
    if (attempt >= MAX_EMAIL_ATTEMPTS) {
      await kv().del(requestKey(id));
      return fail("too_many_attempts");
    }
    return { ok: false, error: badInput, attemptsLeft: MAX_EMAIL_ATTEMPTS - attempt };
  }
  if (!(await kv().take(requestKey(id)))) return fail("email_signin_expired");

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
      await tx.insert(activity).values({ userId: user.id, type: "email_verified", detail: { removedUnprovenAccess: "true" } });
    });
    user.emailVerifiedAt = now;
    cleanedUp = true;
  }
  return { ok: true, user, cleanedUp };
}
