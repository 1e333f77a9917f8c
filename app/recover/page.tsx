import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/card";
import { ConfirmTokenForm } from "@/components/confirm-token-form";
import { EmailAddress } from "@/components/email-address";
import { describeRevert } from "@/lib/email-change";
import { revertAction } from "./actions";

export const metadata: Metadata = { title: "Undo an email change", robots: { index: false } };

/**
 * "This wasn't me", from the notice mailed to an account's old address after an email change.
 * Opening the link (a mail scanner, say) changes nothing; the button does. Works in any browser.
 */
export default async function RecoverPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { id, token } = await searchParams;
  const change = typeof id === "string" && typeof token === "string" ? await describeRevert(id, token) : null;
  if (!change || typeof id !== "string" || typeof token !== "string") {
    return (
      <Card title="This link can't be used" description="It has expired (they work for 7 days), was used already, or isn't complete. If someone changed your email and you can't get back in, contact support.">
        <Link href="/login" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
          Sign in
        </Link>
      </Card>
    );
  }
  return (
    <Card
      title="Undo the email change"
      description={
        <>
          Your account&apos;s address was changed to <EmailAddress value={change.to} />. Undoing it puts <EmailAddress value={change.from} /> back, removes passkeys added by whoever made the change, and signs out every device except those signed in with a passkey the account already had.
        </>
      }
    >
      <ConfirmTokenForm action={revertAction} token={token} extra={{ id }} label="Put my address back" pendingLabel="Putting it back…" />
    </Card>
  );
}
