import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Card } from "@/components/card";
import { flowCookie } from "@/lib/flow";
import { getCurrentSession } from "@/lib/session";
import { getPendingSignup } from "@/lib/signup";
import { CreatePasskey } from "./create-passkey";
import { SignupForm } from "./signup-form";
import { VerifyEmail } from "./verify-email";

export const metadata: Metadata = { title: "Create an account" };

/** One page that advances: details, then the emailed code, then the first passkey. */
export default async function SignupPage() {
  if (await getCurrentSession()) redirect("/account");
  const flow = await flowCookie();
  const pending = await getPendingSignup(flow.signupId);

  if (pending?.stage === "email") {
    return (
      <Card title="Check your email" description={<>We sent a 6-digit code and a link to <strong className="break-all text-zinc-900 dark:text-zinc-100">{pending.email}</strong>. They expire in 15 minutes.</>}>
        <VerifyEmail />
      </Card>
    );
  }
  if (pending?.stage === "passkey") {
    return (
      <Card title="Create a passkey" description="Your email is confirmed and your account exists. Now make a passkey so you can sign in with your fingerprint, face or screen lock, here or on your phone.">
        <CreatePasskey />
      </Card>
    );
  }
  return (
    <Card title="Create an account" description="No password needed. We'll confirm your email, then you'll make a passkey.">
      <SignupForm />
    </Card>
  );
}
