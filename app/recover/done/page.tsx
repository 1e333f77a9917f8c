import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/card";

export const metadata: Metadata = { title: "Your address is back", robots: { index: false } };

export default function RecoverDonePage() {
  return (
    <Card title="Your address is back" description="Every device was signed out and passkeys added by whoever changed it were removed. Sign in by email, then check your passkeys and recent activity.">
      <Link href="/login" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
        Sign in
      </Link>
    </Card>
  );
}
