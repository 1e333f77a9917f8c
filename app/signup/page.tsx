import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Card } from "@/components/card";
import { DevOutboxLink } from "@/components/dev-outbox-link";
import { EmailAddress } from "@/components/email-address";
import { OpenInbox } from "@/components/open-inbox";
import { ResendCode } from "@/components/resend-code";
import { AnnounceProgress, FollowProgress } from "@/components/tab-sync";
import { getCurrentSession } from "@/lib/session";
import { SIGNUP_TTL_SECONDS, getPendingSignup } from "@/lib/signup";
import type { ErrorCode } from "@/lib/shared/errors";
import { actionIdOf } from "@/app/action-adapter";
import { resendSignupCode, signupWithPasskeyAction } from "./actions";
import { CreatePasskey } from "./create-passkey";
import { DeliveryWatch } from "./delivery-watch";
import { SignupForm } from "./signup-form";
import { VerifyEmail } from "./verify-email";

export const metadata: Metadata = { title: "Create an account" };

/** How saving the first passkey can fail, named by the redirect back here (see signupWithPasskeyAction). */
const PASSKEY_ERRORS = ["signup_expired", "challenge_expired", "passkey_failed", "passkey_exists", "passkey_limit", "unavailable"] as const satisfies ErrorCode[];

/** One page that advances: details, then the emailed code, then the first passkey. */
export default async function SignupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await getCurrentSession()) redirect("/account");
  const pending = await getPendingSignup();

  if (pending?.stage === "email") {
    return (
      <Card
        title="Check your email"
        description={
          <>
            We sent a 6-digit code and a link to <EmailAddress value={pending.email} />. They expire in {SIGNUP_TTL_SECONDS / 60} minutes.
          </>
        }
      >
        <FollowProgress />
        <DeliveryWatch email={pending.email} />
        <VerifyEmail />
        <ResendCode action={resendSignupCode} sentAt={pending.sentAt} />
        <OpenInbox address={pending.email} />
        <DevOutboxLink />
      </Card>
    );
  }
  const params = await searchParams;
  if (pending?.stage === "passkey") {
    const lastError = PASSKEY_ERRORS.find((code) => code === params.passkey_error) ?? null;
    return (
      <Card title="Create a passkey" description="Your email is confirmed and your account exists. Now make a passkey so you can sign in with your fingerprint, face or screen lock, here or on your phone.">
        <AnnounceProgress />
        <CreatePasskey saveAction={actionIdOf(signupWithPasskeyAction)} lastError={lastError} />
      </Card>
    );
  }
  const { username, name } = params;
  return (
    <Card title="Create an account" description="No password needed. We'll confirm your email, then you'll make a passkey.">
      <SignupForm initial={{ username: typeof username === "string" ? username : "", name: typeof name === "string" ? name : "" }} />
    </Card>
  );
}
