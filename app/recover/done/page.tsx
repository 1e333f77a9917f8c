import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/card";

export const metadata: Metadata = { title: "Your address is back", robots: { index: false } };

export default function RecoverDonePage() {
  return (
    <Card title="Your address is back" description="Passkeys added by whoever changed it were removed, and every device was signed out except those signed in with a passkey the account already had. Sign in, then check your passkeys and recent activity.">
      <Link href="/login" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
        Sign in
      </Link>
    </Card>
  );
}
