import "server-only";
import { eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import { recordActivity } from "./activity";
import { fail, type Result } from "./shared/errors";
import { sendSecurityNotice } from "./notices";
import { lockPasskeyCount, PASSKEY_ONLY_MIN_PASSKEYS } from "./passkeys";
import { requireSession, RISKY_CHANGE } from "./session";

/**
 * Passkey-only mode: the account stops signing in (and confirming it's you) by email, so a stolen
 * inbox gets nowhere; email still carries notices. It needs PASSKEY_ONLY_MIN_PASSKEYS and keeps
 * them (passkeys.ts). A risky change, so a held session (hold.ts) can't switch it.
 */

export async function setPasskeyOnly(on: boolean): Promise<Result<{ on: boolean }>> {
  const guard = await requireSession(...RISKY_CHANGE);
  if (!guard.ok) return guard;
  const { user, session } = guard.current;
  if (user.emailSigninDisabled === on) return { ok: true, on };
  const db = await getDb();
  const changed = await db.transaction(async (tx) => {
    // Under the account's lock, so a passkey removed meanwhile can't leave passkey-only with one.
    if (on && (await lockPasskeyCount(tx, user.id)).passkeys < PASSKEY_ONLY_MIN_PASSKEYS) return false;
    await tx.update(users).set({ emailSigninDisabled: on }).where(eq(users.id, user.id));
    await recordActivity(user.id, on ? "passkey_only_on" : "passkey_only_off", {}, tx);
    return true;
  });
  if (!changed) return fail("passkey_only_needs_two");
  sendSecurityNotice(
    user.email,
    on ? "Passkey-only sign-in is on" : "Passkey-only sign-in is off",
    [
      on
        ? `From ${session.userAgent}, your account was set to sign in with passkeys only: sign-in links and codes are no longer sent. Keep at least two passkeys; if you lose them all, you'll need support to get back in.`
        : `From ${session.userAgent}, your account can sign in by email again on devices without a passkey.`,
    ],
  );
  return { ok: true, on };
}
