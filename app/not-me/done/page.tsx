import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/card";

export const metadata: Metadata = { title: "That sign-in was ended", robots: { index: false } };

export default function NotMeDonePage() {
  return (
    <Card
      title="That sign-in was ended"
      description="The device was signed out, and the passkeys it added (and any added with those) were removed. Whoever it was could read your email: change your email account's password, then sign in here and consider passkey-only sign-in on your account page."
    >
      <Link href="/account" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
        Go to your account
      </Link>
    </Card>
  );
}
