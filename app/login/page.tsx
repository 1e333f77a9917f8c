import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Card } from "@/components/card";
import { flowCookie, rememberCookie } from "@/lib/flow";
import { safeNextPath } from "@/lib/safe-next";
import { getCurrentSession } from "@/lib/session";
import { IdentifiedSignIn } from "./identified-sign-in";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNextPath((await searchParams).next);
  if (await getCurrentSession()) redirect(next);

  // Step 2 greets a remembered user, or echoes exactly what was typed: never a looked-up name,
  // so the page reveals nothing about whether an account exists.
  const remembered = await rememberCookie();
  const greeting = remembered.username ?? (await flowCookie()).loginIdentifier;
  if (greeting) {
    return (
      <Card title={`Hello, ${greeting}`} description="Sign in with your passkey, or get a link by email if this device doesn't have one.">
        <IdentifiedSignIn next={next} />
      </Card>
    );
  }
  return (
    <Card title="Sign in" description="Use your passkey: pick it from the username field, or press the button.">
      <LoginForm next={next} />
    </Card>
  );
}
