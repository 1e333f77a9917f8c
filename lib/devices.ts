import "server-only";
import { recordActivity } from "./activity";
import { fail, type Result } from "./shared/errors";
import { endSession, requireSession, revokeOtherSessions, revokeSession } from "./session";

/** Signing devices out: one, all but this one, or this one (a plain sign-out). */

export async function signOutDevice(sessionId: string): Promise<Result<{ thisDevice: boolean; device?: string }>> {
  const guard = await requireSession();
  if (!guard.ok) return guard;
  const { user, session } = guard.current;
  if (sessionId === session.id) {
    await endSession();
    return { ok: true, thisDevice: true };
  }
  const revoked = await revokeSession(user.id, sessionId);
  if (!revoked) return fail("device_not_found");
  await recordActivity(user.id, "session_revoked", { device: revoked.userAgent });
  return { ok: true, thisDevice: false, device: revoked.userAgent };
}

export async function signOutOtherDevices(): Promise<Result<{ count: number }>> {
  const guard = await requireSession();
  if (!guard.ok) return guard;
  const count = await revokeOtherSessions(guard.current.user.id, guard.current.session.id);
  await recordActivity(guard.current.user.id, "other_sessions_revoked", { count: String(count) });
  return { ok: true, count };
}
