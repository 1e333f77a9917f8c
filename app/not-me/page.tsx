import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/card";
import { ConfirmTokenForm } from "@/components/confirm-token-form";
import { readableDate } from "@/lib/dates";
import { describeSignInReport, spentReportState } from "@/lib/sign-in-alerts";
import { reportAction } from "./actions";

export const metadata: Metadata = { title: "This wasn't me", robots: { index: false } };

const linkClass = "text-center font-medium text-indigo-700 underline dark:text-indigo-300";
const SPENT = {
  used: { title: "This link was already used", description: "That sign-in was signed out when the link was pressed. If you still see a device you don't know, sign in and sign it out from your account page." },
  expired: { title: "This link has expired", description: "These links work for 7 days. If you still see a device you don't know, sign in and sign it out from your account page." },
  incomplete: { title: "This link is incomplete", description: "Copy the whole link from the email. If you still see a device you don't know, sign in and sign it out from your account page." },
} as const;
const passkeys = (n: number) => (n === 1 ? "a passkey" : `${n} passkeys`);

/**
 * "This wasn't me", from a new sign-in alert. Opening the link (a mail scanner, say) changes
 * nothing; the button does. Works in any browser: the owner may read mail anywhere. Removing the
 * passkeys that sign-in added also needs this browser to be signed in with an older passkey.
 */
export default async function NotMePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  const report = typeof token === "string" ? await describeSignInReport(token) : null;
  if (!report || typeof token !== "string") {
    const state = typeof token === "string" ? await spentReportState(token) : "incomplete";
    const copy = SPENT[state];
    return (
      <Card title={copy.title} description={copy.description}>
        <Link href="/login" className={linkClass} data-state={state}>
          Sign in
        </Link>
      </Card>
    );
  }
  const how = report.method === "email" ? "with an emailed link or code" : "with a passkey";
  const when = <time dateTime={report.at.toISOString()}>{readableDate(report.at)}</time>;
  const signInHere = `/login?next=${encodeURIComponent(`/not-me?token=${token}`)}`;
  const needsPasskey = report.addedPasskeys > 0 && !report.canRemovePasskeys;

  if (report.sessionsEnded && needsPasskey) {
    return (
      <Card
        title="Remove the passkeys that sign-in added"
        description={
          <>
            The sign-in on {report.device} ({when}) is signed out already. It added {passkeys(report.addedPasskeys)}, which only a browser signed in with a passkey you had before it can remove.
          </>
        }
      >
        <Link href={signInHere} className={linkClass} data-testid="report-sign-in">
          Sign in with an older passkey
        </Link>
      </Card>
    );
  }
  return (
    <Card
      title="Sign out a sign-in you don't recognise"
      description={
        <>
          <p>
            Someone signed in to your account {how} on {report.device}, {when}. If that wasn&apos;t you, sign that device out
            {report.addedPasskeys === 0
              ? "."
              : report.canRemovePasskeys
                ? `: ${passkeys(report.addedPasskeys)} it added ${report.addedPasskeys === 1 ? "is" : "are"} removed too, and every device using ${report.addedPasskeys === 1 ? "it" : "them"} is signed out.`
                : `, and every device using the ${report.addedPasskeys === 1 ? "passkey" : `${report.addedPasskeys} passkeys`} it added.`}
          </p>
          {needsPasskey && (
            <p className="mt-2" data-testid="report-kept-note">
              Removing {report.addedPasskeys === 1 ? "that passkey" : "those passkeys"} needs a browser signed in with a passkey you had before that sign-in, so a link in your
              email can&apos;t be used against you. <Link href={signInHere} className="font-medium text-indigo-700 underline dark:text-indigo-300">Sign in with one first</Link>, or sign the
              device out now and remove them later.
            </p>
          )}
        </>
      }
    >
      <ConfirmTokenForm action={reportAction} token={token} label={report.canRemovePasskeys ? "Sign it out and remove its passkeys" : "Sign that device out"} pendingLabel="Signing it out…" />
    </Card>
  );
}
