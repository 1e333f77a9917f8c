import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Card } from "@/components/card";
import { pendingEmailChange } from "@/lib/account";
import { flowCookie } from "@/lib/flow";
import { getCurrentSession } from "@/lib/session";
import { ConfirmTokenForm } from "@/components/confirm-token-form";
import { confirmEmailChangeLink } from "../actions";

export const metadata: Metadata = { title: "Confirm your new email", robots: { index: false } };

/** The email-change link lands here; opening it spends nothing, the button does (in the asking browser). */
export default async function EmailChangeLinkPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const current = await getCurrentSession();
  if (!current) redirect("/login?next=/account");
  const { token } = await searchParams;
  const pending = await pendingEmailChange(current.user.id, (await flowCookie()).emailChangeId);
  if (typeof token !== "string" || !pending) {
    return (
      <Card title="Open this link where you asked for it" description="Open this link in the browser where you asked to change your email, or type the code there.">
        <Link href="/account#email" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
          Back to your account
        </Link>
      </Card>
    );
  }
  return (
    <Card title="Confirm your new email" description={<>Make <strong className="[overflow-wrap:anywhere]">{pending}</strong> your email address?</>}>
      <ConfirmTokenForm action={confirmEmailChangeLink} token={token} label="Confirm new email" pendingLabel="Confirming…" />
    </Card>
  );
}
