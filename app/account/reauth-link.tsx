import Link from "next/link";
import type { ErrorCode } from "@/lib/shared/errors";

/** Whether an action's failure is cured by confirming it's you (or signing in again). */
export function needsReauth(error: ErrorCode | null | undefined): boolean {
  return error === "reauth_required" || error === "not_signed_in" || error === "on_hold" || error === "revert_cancel_needs_passkey";
}

/** The way on when a change needs a recent sign-in: "Confirm it's you", back to `section` after. */
export function ReauthLink({ section, children = "Confirm it's you" }: { section: string; children?: string }) {
  return (
    <Link href={`/account/confirm?next=${encodeURIComponent(`/account#${section}`)}`} className="font-medium text-indigo-700 underline dark:text-indigo-300">
      {children}
    </Link>
  );
}
