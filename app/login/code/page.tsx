import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Card } from "@/components/card";
import { DevOutboxLink } from "@/components/dev-outbox-link";
import { EmailAddress } from "@/components/email-address";
import { OpenInbox } from "@/components/open-inbox";
import { ResendCode } from "@/components/resend-code";
import { FollowProgress } from "@/components/tab-sync";
import { EMAIL_SIGNIN_TTL_SECONDS, pendingSignInEmail } from "@/lib/email-sign-in";
import { safeNextPath } from "@/lib/safe-next";
import { getCurrentSession } from "@/lib/session";
import { resendCode } from "./actions";
import { ApprovalWait } from "./approval-wait";
import { EmailCodeForm } from "./email-code-form";

export const metadata: Metadata = { title: "Check your email" };

/** After "Email me a sign-in link": identical whether or not the account exists. */
export default async function CheckEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNextPath((await searchParams).next);
  // The link was used in another tab of this browser: follow it.
  if (await getCurrentSession()) redirect(next);
  const pending = await pendingSignInEmail();
  if (!pending) redirect(`/login?next=${encodeURIComponent(next)}`);
  return (
    <Card
      title="Check your email"
      description={
        <>
          If an account exists for <EmailAddress value={pending.typed} />, we sent it a sign-in link and code. They expire in {EMAIL_SIGNIN_TTL_SECONDS / 60} minutes and sign in only this browser.
        </>
      }
    >
      <FollowProgress />
      {pending.number !== undefined && <ApprovalWait number={pending.number} next={next} />}
      <EmailCodeForm next={next} />
      <ResendCode action={resendCode} sentAt={pending.sentAt} />
      <OpenInbox address={pending.typed} />
      <DevOutboxLink />
      <Link href={`/login?next=${encodeURIComponent(next)}`} className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
        Back to sign in
      </Link>
    </Card>
  );
}
