import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/card";
import { ConfirmTokenForm } from "@/components/confirm-token-form";
import { EmailAddress } from "@/components/email-address";
import { describeRevert, spentRevertState } from "@/lib/email-change";
import { revertAction } from "./actions";

export const metadata: Metadata = { title: "Undo an email change", robots: { index: false } };

const SPENT = {
  used: { title: "This link was already used", description: "The address was put back when the link was pressed. Sign in with it to check your passkeys and devices." },
  kept: {
    title: "This change was kept",
    description: "The account's owner confirmed the change from a device signed in with one of their passkeys, so this link no longer undoes it. If that wasn't you, contact support.",
  },
  expired: { title: "This link has expired", description: "These links work for 7 days. If someone changed your email and you can't get back in, contact support." },
  incomplete: { title: "This link is incomplete", description: "Copy the whole link from the email. If someone changed your email and you can't get back in, contact support." },
} as const;

/**
 * "This wasn't me", from the notice mailed to an account's old address after an email change.
 * Opening the link (a mail scanner, say) changes nothing; the button does. Works in any browser.
 */
export default async function RecoverPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { id, token } = await searchParams;
  const change = typeof id === "string" && typeof token === "string" ? await describeRevert(id, token) : null;
  if (!change || typeof id !== "string" || typeof token !== "string") {
    const state = await spentRevertState(typeof id === "string" ? id : undefined, typeof token === "string" ? token : undefined);
    const copy = SPENT[state];
    return (
      <Card title={copy.title} description={copy.description}>
        <Link href="/login" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300" data-state={state}>
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
