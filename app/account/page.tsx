import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Alert } from "@/components/alert";
import { Card } from "@/components/card";
import { listPasskeys } from "@/lib/passkeys";
import { getCurrentSession } from "@/lib/session";
import { SubmitButton } from "@/components/button";
import { signOut } from "./actions";
import { AddPasskey } from "./add-passkey";

export const metadata: Metadata = { title: "Your account" };

export default async function AccountPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { notice } = await searchParams;
  // The proxy's redirect is a convenience; this check is the guard.
  const current = await getCurrentSession();
  if (!current) redirect("/login?next=/account");
  const { user, session } = current;
  const passkeyCount = (await listPasskeys(user.id)).length;
  const details: [string, string][] = [
    ["Name", user.name ?? "—"],
    ["Username", user.username],
    ["Email", user.email],
    ["Passkeys", String(passkeyCount)],
  ];
  return (
    <Card title="Your account" description={`Signed in with ${session.method === "passkey" ? "a passkey" : "an email link or code"}.`}>
      {notice === "email-verified" && (
        <Alert tone="success">
          Your email address is now verified. Passkeys and sessions made before it was verified were removed, in case someone else made them. Add a passkey on this device below.
        </Alert>
      )}
      {session.method === "email" && !session.passkeyId && <AddPasskey />}
      <dl className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
        {details.map(([term, value]) => (
          <div key={term} className="flex flex-wrap justify-between gap-2 px-4 py-3">
            <dt className="text-zinc-600 dark:text-zinc-400">{term}</dt>
            <dd className="break-all font-medium" data-testid={`account-${term.toLowerCase()}`}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
      <form action={signOut}>
        <SubmitButton variant="secondary" pendingLabel="Signing out…">
          Sign out of this device
        </SubmitButton>
      </form>
    </Card>
  );
}
