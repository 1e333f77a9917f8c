import "server-only";
import { desc, eq } from "drizzle-orm";
import { getDb, type Db } from "@/db/client";
import { activity } from "@/db/schema";

export type ActivityType =
  | "account_created"
  | "signed_in"
  | "passkey_added"
  | "passkey_removed"
  | "passkey_renamed"
  | "session_revoked"
  | "other_sessions_revoked"
  | "name_changed"
  | "email_changed"
  | "email_change_reverted"
  | "email_revert_cancelled"
  | "reauthenticated"
  | "sign_in_reported"
  | "hold_lifted"
  | "qr_approved"
  | "passkey_only_on"
  | "passkey_only_off"
  | "counter_regression"
  | "backup_eligibility_changed";

export type Activity = { type: ActivityType; detail: Record<string, string> };

/** Records a security-relevant event; pass a transaction to make it part of the change. */
export async function recordActivity(userId: string, type: ActivityType, detail: Record<string, string> = {}, db?: Pick<Db, "insert">): Promise<void> {
  await (db ?? (await getDb())).insert(activity).values({ userId, type, detail });
}

export async function recentActivity(userId: string, limit = 20) {
  const db = await getDb();
  return db.select().from(activity).where(eq(activity.userId, userId)).orderBy(desc(activity.createdAt), desc(activity.id)).limit(limit);
}

/** One line per event for the account page. */
export function describeActivity(type: string, detail: Record<string, string>): string {
  switch (type) {
    case "account_created":
      return "Account created";
    case "signed_in":
      return `Signed in with ${detail.method === "email" ? "an email link or code" : "a passkey"}${detail.device ? ` on ${detail.device}` : ""}`;
    case "passkey_added":
      return `Passkey added: ${detail.name ?? "Passkey"}`;
    case "passkey_removed":
      return `Passkey removed: ${detail.name ?? "Passkey"}${detail.signedOut ? ` (signed out ${detail.signedOut} ${detail.signedOut === "1" ? "device" : "devices"} that used it)` : ""}`;
    case "passkey_renamed":
      return `Passkey renamed: ${detail.from} → ${detail.to}`;
    case "session_revoked":
      return `Signed out ${detail.device ?? "a device"}`;
    case "other_sessions_revoked":
      return `Signed out everywhere else (${detail.count ?? "0"} ${detail.count === "1" ? "device" : "devices"})`;
    case "name_changed":
      return "Name changed";
    case "email_changed":
      return `Email changed from ${detail.from} to ${detail.to}`;
    case "email_change_reverted":
      return `Email change undone from the old address: back to ${detail.to}; ${detail.kept && detail.kept !== "0" ? `devices signed out but ${detail.kept} a passkey you already had vouched for` : "every device signed out"}${detail.removedPasskeys && detail.removedPasskeys !== "0" ? `, ${detail.removedPasskeys} passkey(s) removed` : ""}`;
    case "email_revert_cancelled":
      return `Kept the email change: ${detail.from} can no longer undo it`;
    case "reauthenticated":
      return `Confirmed it was you with ${detail.method === "email" ? "an emailed code" : "a passkey"}`;
    case "sign_in_reported":
      return `Sign-in reported as not you: ${detail.device ?? "a device"} signed out${detail.removedPasskeys && detail.removedPasskeys !== "0" ? `, ${detail.removedPasskeys} passkey(s) it added removed` : ""}${detail.keptPasskeys && detail.keptPasskeys !== "0" ? `, ${detail.keptPasskeys} passkey(s) it added kept (removing them needs a passkey you had before)` : ""}`;
    case "hold_lifted":
      return `Hold lifted on ${detail.device ?? "a device"} by confirming with ${detail.passkey ? `"${detail.passkey}"` : "a passkey"}`;
    case "qr_approved":
      return `Approved a sign-in on ${detail.device || "another device"} with ${detail.passkey ? `"${detail.passkey}"` : "a passkey"}`;
    case "passkey_only_on":
      return "Passkey-only sign-in turned on: email no longer signs in";
    case "passkey_only_off":
      return "Passkey-only sign-in turned off: email signs in again";
    case "counter_regression":
      return `Warning: passkey "${detail.passkey}" reported an old signature counter (possible clone); sign-in refused`;
    case "backup_eligibility_changed":
      return `Warning: passkey "${detail.passkey}" answered with different backup flags than it was made with (possible clone); sign-in refused`;
    default:
      return type;
  }
}

/** Consecutive entries that read the same, as one line: "Signed in with a passkey on Chrome on Linux" ×3. */
export type ActivityLine = { id: string; text: string; count: number; newest: Date; oldest: Date; warning: boolean };

export function groupActivity(events: { id: string; type: string; detail: Record<string, string>; createdAt: Date }[]): ActivityLine[] {
  const lines: ActivityLine[] = [];
  for (const event of events) {
    const text = describeActivity(event.type, event.detail);
    const last = lines.at(-1);
    if (last && last.text === text) {
      last.count += 1;
      last.oldest = event.createdAt;
    } else {
      lines.push({ id: event.id, text, count: 1, newest: event.createdAt, oldest: event.createdAt, warning: event.type === "counter_regression" || event.type === "backup_eligibility_changed" || event.type === "sign_in_reported" });
    }
  }
  return lines;
}
