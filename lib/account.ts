import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb, isUniqueViolation } from "@/db/client";
import { users, type User } from "@/db/schema";
import { recordActivity } from "./activity";
import { addressInUseEmail, emailChangeEmail, securityNoticeEmail } from "./emails";
import { dropProof, issueProof, peekProof, spendProof } from "./emailed-proof";
import { getConfig } from "./env";
import { fail, type AttemptFailure, type ErrorCode } from "./errors";
import { sendMail, type MailMessage } from "./mail";
import { hit } from "./rate-limit";
import { signupInputSchema } from "./signup";
import { findUserByEmail, normalizeEmail } from "./users";

export const EMAIL_CHANGE_TTL_SECONDS = 15 * 60;
const NAMESPACE = "emailchange";
const PROOF_ERRORS = { expired: "email_change_expired", badLink: "email_change_expired" } as const;

export const nameSchema = signupInputSchema.shape.name;
export const emailSchema = signupInputSchema.shape.email;

/** The notice to mail the account address about a change to its security. */
export function securityNotice(to: string, subject: string, lines: string[]): MailMessage {
  return securityNoticeEmail({ to, rpName: getConfig().rpName, subject, lines });
}

export async function updateName(userId: string, name: string | null): Promise<void> {
  const db = await getDb();
  await db.update(users).set({ name }).where(eq(users.id, userId));
  await recordActivity(userId, "name_changed");
}

/** A pending change: the account, the address it had when asked (the change is void once that
 * changes), and the new address. */
type EmailChange = { userId: string; from: string; email: string };

/**
 * Starts an email change: the new address gets a code and a link; nothing changes until one of
 * them comes back from this browser. An address that already has an account gets a notice
 * instead, and the answer here is the same (a decoy proof), so no address is revealed as taken.
 * Returns the proof id for the browser's cookie.
 */
export async function startEmailChange(
  user: User,
  newEmail: string,
  schedule: (task: () => Promise<void>) => void,
): Promise<{ ok: true; id: string } | { ok: false; error: ErrorCode }> {
  const email = normalizeEmail(newEmail);
  if (email === user.email) return fail("email_unchanged");
  if (!(await hit("verificationPerEmail", email))) return fail("rate_limited");
  const owner = await findUserByEmail(email);
  const change: EmailChange = { userId: user.id, from: user.email, email };
  const { id, code, secret } = await issueProof(NAMESPACE, change, EMAIL_CHANGE_TTL_SECONDS, { account: `user:${user.id}`, decoy: owner !== null });
  const config = getConfig();
  const link = new URL("/account/email", config.appUrl);
  link.searchParams.set("token", secret);
  const message = owner
    ? addressInUseEmail({ to: email, rpName: config.rpName })
    : emailChangeEmail({ to: email, code, link: link.href, rpName: config.rpName, minutes: EMAIL_CHANGE_TTL_SECONDS / 60 });
  schedule(() => sendMail(message));
  return { ok: true, id };
}

/** Proves the new address and switches to it; the old address is told. */
export async function finishEmailChange(
  user: User,
  id: string | undefined,
  kind: "code" | "link",
  value: string,
): Promise<{ ok: true; from: string; to: string } | AttemptFailure> {
  const spent = await spendProof<EmailChange>(NAMESPACE, id, kind, value, PROOF_ERRORS, EMAIL_CHANGE_TTL_SECONDS);
  if (!spent.ok) return spent;
  if (spent.data.userId !== user.id || spent.data.from !== user.email) return fail("email_change_expired");
  const db = await getDb();
  try {
    await db.transaction(async (tx) => {
      await tx.update(users).set({ email: spent.data.email, emailVerifiedAt: new Date() }).where(eq(users.id, user.id));
      await recordActivity(user.id, "email_changed", { from: user.email, to: spent.data.email }, tx);
    });
  } catch (error) {
    if (isUniqueViolation(error)) return fail("email_change_expired");
    throw error;
  }
  return { ok: true, from: user.email, to: spent.data.email };
}

export async function cancelEmailChange(id: string | undefined): Promise<void> {
  await dropProof(NAMESPACE, id);
}

/** Deletes the account: passkeys, sessions and activity go with it (foreign keys cascade). */
export async function deleteAccount(userId: string): Promise<User | null> {
  const db = await getDb();
  const [deleted] = await db.delete(users).where(eq(users.id, userId)).returning();
  return deleted ?? null;
}

export const deleteConfirmationSchema = (username: string) => z.string().trim().refine((v) => v.toLowerCase() === `delete ${username}`.toLowerCase(), `Type "delete ${username}" to confirm.`);

/** The new address of this browser's pending email change for the user, if any. */
export async function pendingEmailChange(userId: string, id: string | undefined): Promise<string | null> {
  const data = await peekProof<EmailChange>(NAMESPACE, id);
  return data?.userId === userId ? data.email : null;
}
