import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Card } from "@/components/card";
import { messageFor } from "@/lib/errors";
import { flowCookie } from "@/lib/flow";
import { getPendingSignup } from "@/lib/signup";
import { ConfirmTokenForm } from "@/components/confirm-token-form";
import { confirmSignupLink } from "../actions";

export const metadata: Metadata = { title: "Confirm your email", robots: { index: false } };

/**
 * The emailed link lands here. Opening it (GET, HEAD, a mail scanner's preview) changes nothing:
 * only the button's server action spends it, and only in the browser that started the sign-up.
 */
export default async function VerifyLinkPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  const flow = await flowCookie();
  const pending = await getPendingSignup(flow.signupId);
  if (pending?.stage === "passkey") redirect("/signup");
  if (typeof token !== "string" || !pending) {
    return (
      <Card title="Open this link where you signed up" description={messageFor("link_elsewhere")}>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          If that sign-up has expired, start again: nothing was created.
        </p>
        <Link href="/signup" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
          Go to sign-up
        </Link>
      </Card>
    );
  }
  return (
    <Card title="Confirm your email" description={<>Confirm <strong className="break-all text-zinc-900 dark:text-zinc-100">{pending.email}</strong> to create your account.</>}>
      <ConfirmTokenForm action={confirmSignupLink} token={token} label="Confirm email" pendingLabel="Confirming…" fallback={{ href: "/signup", text: "Back to sign-up" }} />
    </Card>
  );
}
