import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Card } from "@/components/card";
import type { ErrorCode } from "@/lib/shared/errors";
import { safeNextPath } from "@/lib/safe-next";
import { getCurrentSession } from "@/lib/session";
import { rememberedUser, signInPageOptions, typedIdentifier, unknownCredentialToSignal } from "@/lib/sign-in";
import { actionIdOf } from "@/app/action-adapter";
import { passkeySignIn } from "./actions";
import { IdentifiedSignIn } from "./identified-sign-in";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

/** How a passkey sign-in posted from this page can fail, named by the redirect back here (see passkeySignIn). */
const PASSKEY_ERRORS = ["signin_failed", "unknown_passkey", "challenge_expired", "unavailable"] as const satisfies ErrorCode[];

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeNextPath(params.next);
  if (await getCurrentSession()) redirect(next);

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
        <IdentifiedSignIn next={next} passkeyPage={passkeyPage} />
      </Card>
    );
  }
  return (
    <Card title="Sign in" description="Use your passkey, or type your username to continue.">
      <LoginForm next={next} passkeyPage={passkeyPage} />
    </Card>
  );
}
