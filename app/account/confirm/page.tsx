import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Card } from "@/components/card";
import { flowCookie } from "@/lib/flow";
import { getCurrentSession } from "@/lib/session";
import { ConfirmWithCode, ConfirmWithPasskey } from "./confirm-forms";

export const metadata: Metadata = { title: "Confirm it's you" };

/** Restarts the fresh-sign-in window before removing passkeys, changing email or deleting the account. */
export default async function ConfirmPage() {
  const current = await getCurrentSession();
  if (!current) redirect("/login?next=/account/confirm");
  const codeSent = Boolean((await flowCookie()).reauthEmailId);
  return (
    <Card title="Confirm it's you" description="For your security, confirm with a passkey or a code sent to your email before changing how you sign in.">
      <ConfirmWithPasskey />
      <ConfirmWithCode sent={codeSent} email={current.user.email} />
      <Link href="/account" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
        Back to your account
      </Link>
    </Card>
  );
}
