import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Card } from "@/components/card";
import { DevOutboxLink } from "@/components/dev-outbox-link";
import { FollowProgress } from "@/components/tab-sync";
import { heldUntil } from "@/lib/hold";
import { listPasskeys } from "@/lib/passkeys";
import { confirmOptions, pendingConfirmEmail } from "@/lib/reauth";
import { safeNextPath } from "@/lib/safe-next";
import { getCurrentSession } from "@/lib/session";
import { ConfirmWithEmail, ConfirmWithPasskey } from "./confirm-forms";

export const metadata: Metadata = { title: "Confirm it's you" };

/** Restarts the fresh-sign-in window before removing passkeys, changing email or deleting the account. */
export default async function ConfirmPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNextPath((await searchParams).next);
  const current = await getCurrentSession();
  if (!current) redirect(`/login?next=${encodeURIComponent("/account/confirm")}`);
  const [pending, passkeys] = await Promise.all([pendingConfirmEmail(current.user.id), listPasskeys(current.user.id)]);
  // The passkey request comes with the page (a stateless challenge: nothing stored per view).
  const options = passkeys.length ? await confirmOptions() : null;
  return (
    <Card
      title="Confirm it's you"
      description={
        current.user.emailSigninDisabled
          ? "For your security, confirm with one of your passkeys before changing how you sign in."
          : passkeys.length
            ? `For your security, confirm with one of your passkeys or a code sent to your email before changing how you sign in.${heldUntil(current.session) ? " Only a passkey you had before signing in on this device lifts its hold." : ""}`
            : "For your security, confirm with a code sent to your email before changing how you sign in."
      }
    >
      <FollowProgress />
      <ConfirmWithPasskey next={next} hasPasskeys={passkeys.length > 0} secondary={pending !== null} pageOptions={options?.ok ? options.options : null} />
      {!current.user.emailSigninDisabled && <ConfirmWithEmail next={next} pending={pending} />}
      {pending && <DevOutboxLink />}
      <Link href="/account" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
        Back to your account
      </Link>
    </Card>
  );
}
