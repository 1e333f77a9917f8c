import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Card } from "@/components/card";
import { EMAIL_SIGNIN_TTL_SECONDS } from "@/lib/email-auth";
import { flowCookie } from "@/lib/flow";
import { safeNextPath } from "@/lib/safe-next";
import { EmailCodeForm } from "./email-code-form";

export const metadata: Metadata = { title: "Check your email" };

/** After "Email me a sign-in link": identical whether or not the account exists. */
export default async function CheckEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNextPath((await searchParams).next);
  const flow = await flowCookie();
  if (!flow.emailSignInId) redirect("/login");
  return (
    <Card
      title="Check your email"
      description={
        <>
          If an account exists for <strong className="break-all text-zinc-900 dark:text-zinc-100">{flow.emailSignInFor}</strong>, we sent a sign-in link and code. They expire in{" "}
          {EMAIL_SIGNIN_TTL_SECONDS / 60} minutes and work only in this browser.
        </>
      }
    >
      <EmailCodeForm next={next} />
      <Link href="/login" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
        Back to sign in
      </Link>
    </Card>
  );
}
