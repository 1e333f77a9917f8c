import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import { recordActivity } from "./activity";
import { textCookie } from "./cookies";
import { getConfig } from "./env";
import type { Result } from "./shared/errors";
import { sendSecurityNotice } from "./notices";
import { credentialSignals, type Signals } from "./passkeys";
import { endSession, requireSession, RISKY_CHANGE } from "./session";
import { forgetSignInName } from "./sign-in";
import { signupInputSchema } from "./signup";

/** The account itself: its name, and deleting it. */
export const nameSchema = signupInputSchema.shape.name;

export async function updateName(name: string | null): Promise<Result<{ signals: Signals }>> {
  const guard = await requireSession();
  if (!guard.ok) return guard;
  const { user } = guard.current;
  const db = await getDb();
  await db.update(users).set({ name }).where(eq(users.id, user.id));
  await recordActivity(user.id, "name_changed");
  // The passkey manager shows the new display name from now on.
  return { ok: true, signals: await credentialSignals({ ...user, name }, { withDetails: true }) };
}

export const deleteConfirmationSchema = (username: string) => z.string().trim().refine((v) => v.toLowerCase() === `delete ${username}`.toLowerCase(), `Type "delete ${username}" to confirm.`);

/** The deleted account's WebAuthn user handle, for the Signal API on the page that follows. */
const deletedHandleCookie = () => textCookie("deleted", 5 * 60, 64);

/**
 * Deletes the account after a typed confirmation: passkeys, sessions and activity go with it
 * (foreign keys cascade), this browser forgets it, and its address is told.
 */
export async function deleteAccount(confirmation: string): Promise<Result<object, { message?: string }>> {
  const guard = await requireSession(...RISKY_CHANGE);
  if (!guard.ok) return guard;
  const { user } = guard.current;
  const confirmed = deleteConfirmationSchema(user.username).safeParse(confirmation);
  if (!confirmed.success) return { ok: false, error: "invalid_input", message: confirmed.error.issues[0]?.message };
  const db = await getDb();
  await db.delete(users).where(eq(users.id, user.id));
  sendSecurityNotice(user.email, "Your account was deleted", [
    `Your account ${user.username} and everything in it (passkeys, devices, activity) were deleted.`,
    `Your passkeys for ${getConfig().rpName} no longer work; you can remove them from your passkey manager.`,
  ]);
  await endSession();
  await forgetSignInName();
  await deletedHandleCookie().set(user.webauthnUserId);
  return { ok: true };
}

/** Set right after a deletion in this browser: tell its passkey manager no passkey of that account is accepted. */
export async function deletedAccountSignal(): Promise<Signals | null> {
  const handle = await deletedHandleCookie().get();
  return handle ? { rpID: getConfig().rpID, userID: handle, allAcceptedCredentialIDs: [] } : null;
}
