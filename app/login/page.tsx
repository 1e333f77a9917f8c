import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Alert } from "@/components/alert";
import { Card } from "@/components/card";
import { messageFor, type ErrorCode } from "@/lib/shared/errors";
import { safeNextPath } from "@/lib/safe-next";
import { getCurrentSession } from "@/lib/session";
import { rememberedUser, signInPageOptions, typedIdentifier, unknownCredentialToSignal } from "@/lib/sign-in";
import { actionIdOf } from "@/app/action-adapter";
import { passkeySignIn } from "./actions";
import { IdentifiedSignIn } from "./identified-sign-in";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

/** Errors a redirect back to this page may name: the page's own, and a passkey sign-in's (see passkeySignIn). */
const PAGE_ERRORS = ["rate_limited", "email_rate_limited", "challenge_expired"] as const satisfies ErrorCode[];
const PASSKEY_ERRORS = ["signin_failed", "unknown_passkey", "challenge_expired", "unavailable"] as const satisfies ErrorCode[];

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeNextPath(params.next);
  if (await getCurrentSession()) redirect(next);
  const error = PAGE_ERRORS.find((code) => code === params.error);

  // Step 2 greets a remembered user, or echoes exactly what was typed: never a looked-up name,
  // so the page reveals nothing about whether an account exists.
  const greeting = (await rememberedUser())?.username ?? (await typedIdentifier());
  // The passkey request comes with the page: autofill and the button start without asking for it.
  const mode = greeting ? ("identified" as const) : ("discoverable" as const);
  const options = await signInPageOptions(mode);
  const passkeyError = PASSKEY_ERRORS.find((code) => code === params.passkey_error) ?? null;
  const passkeyPage = {
    options: options.ok ? { mode, options: options.options } : null,
    signInAction: actionIdOf(passkeySignIn),
    error: passkeyError,
    unknownCredential: passkeyError === "unknown_passkey" ? await unknownCredentialToSignal(typeof params.credential === "string" ? params.credential : undefined) : null,
  };
  if (greeting) {
    return (
      <Card title={`Hello, ${greeting}`} description="Sign in with your passkey, or get a link by email if this device doesn't have one.">
        {error && <Alert tone="error">{messageFor(error)}</Alert>}
        <IdentifiedSignIn next={next} passkeyPage={passkeyPage} />
      </Card>
    );
  }
  return (
    <Card title="Sign in" description="Use your passkey, or type your username to continue.">
      {error && <Alert tone="error">{messageFor(error)}</Alert>}
      <LoginForm next={next} passkeyPage={passkeyPage} />
    </Card>
  );
}
