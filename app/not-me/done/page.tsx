import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/card";

export const metadata: Metadata = { title: "That sign-in was ended", robots: { index: false } };

export default async function NotMeDonePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { kept } = await searchParams;
  const keptPasskeys = typeof kept === "string" && /^[1-9]\d?$/.test(kept) ? Number(kept) : 0;
  return (
    <Card
      title="That sign-in was ended"
      description={
        keptPasskeys
          ? `The device was signed out, with every device using the passkeys it added. Those ${keptPasskeys === 1 ? "passkey stays" : `${keptPasskeys} passkeys stay`} on the account until a browser signed in with a passkey you had before presses the link again, or you remove them on your account page. Whoever it was could read your email: change your email account's password.`
          : "The device was signed out, and the passkeys it added (and any added with those) were removed. Whoever it was could read your email: change your email account's password, then sign in here and consider passkey-only sign-in on your account page."
      }
    >
      <Link href="/account" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
        Go to your account
      </Link>
    </Card>
  );
}
