import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/card";
import { ConfirmTokenForm } from "@/components/confirm-token-form";
import { describeSignInReport } from "@/lib/sign-in-alerts";
import { reportAction } from "./actions";

export const metadata: Metadata = { title: "This wasn't me", robots: { index: false } };

/**
 * "This wasn't me", from a new sign-in alert. Opening the link (a mail scanner, say) changes
 * nothing; the button does. Works in any browser: the owner may read mail anywhere.
 */
export default async function NotMePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  const report = typeof token === "string" ? await describeSignInReport(token) : null;
  if (!report || typeof token !== "string") {
    return (
      <Card title="This link can't be used" description="It has expired (they work for 7 days), was used already, or isn't complete. If you still see a device you don't know, sign in and sign it out from your account page.">
        <Link href="/login" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
          Sign in
        </Link>
      </Card>
    );
  }
  const how = report.method === "email" ? "with an emailed link or code" : "with a passkey";
  return (
    <Card
      title="Sign out a sign-in you don't recognise"
      description={
        <>
          Someone signed in to your account {how} on {report.device},{" "}
          <time dateTime={report.at.toISOString()}>{report.at.toUTCString()}</time>. If that wasn&apos;t you, sign that device out: the passkeys it added, and any added with those, are removed too, and every device using them is signed out.
        </>
      }
    >
      <ConfirmTokenForm action={reportAction} token={token} label="Sign that device out" pendingLabel="Signing it out…" />
    </Card>
  );
}
