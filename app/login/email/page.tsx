import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/card";
import { pendingEmailSignIn } from "@/lib/email-auth";
import { flowCookie } from "@/lib/flow";
import { ConfirmTokenForm } from "@/components/confirm-token-form";
import { confirmEmailLink } from "../actions";

export const metadata: Metadata = { title: "Sign in", robots: { index: false } };

/**
 * Where the emailed link lands. Opening it (GET, HEAD, a mail scanner) spends nothing, sets no
 * session and counts no attempt: only the "Sign in" button's server action does, and only in the
 * browser that asked. (Referrer-Policy: no-referrer is set for this path in next.config.ts.)
 */
export default async function EmailLinkPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  const pending = await pendingEmailSignIn((await flowCookie()).emailSignInId);
  if (typeof token !== "string" || !pending) {
    return (
      <Card title="Open this link where you asked for it" description="Open this link in the browser where you asked for it, or type the code there.">
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Nothing was used up: the link and code still work there until they expire.</p>
        <Link href="/login" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
          Sign in here instead
        </Link>
      </Card>
    );
  }
  return (
    <Card title={`Sign in as ${pending.typed}`} description="Press the button to finish signing in on this device.">
      <ConfirmTokenForm action={confirmEmailLink} token={token} label="Sign in" pendingLabel="Signing in…" fallback={{ href: "/login/code", text: "Type the code instead" }} />
    </Card>
  );
}
