import type { Metadata } from "next";
import { ConfirmTokenForm } from "@/components/confirm-token-form";
import { EmailAddress } from "@/components/email-address";
import { LinkStatePage } from "@/components/link-state-page";
import { getCurrentSession } from "@/lib/session";
import { signupFlow, signupLinkState } from "@/lib/signup";
import { confirmSignupLink } from "../actions";

export const metadata: Metadata = { title: "Confirm your email", robots: { index: false } };

/**
 * The emailed sign-up link lands here. Opening it (GET, HEAD, a mail scanner's preview) changes
 * nothing: only the button's server action spends it, and only in the browser that started the
 * sign-up. The page says where the sign-up stands in this browser.
 */
export default async function VerifyLinkPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  const [current, link] = await Promise.all([getCurrentSession(), signupLinkState()]);
  const state = current ? "signed_in" : link.proven ? "moved_on" : typeof token !== "string" && link.state === "ready" ? "incomplete" : link.state;
  return (
    <LinkStatePage
      copy={signupFlow.pageCopy}
      state={state}
      signedInAs={current?.user.username}
      ready={{
        title: "Confirm your email",
        description: (
          <>
            Confirm <EmailAddress value={link.email ?? ""} /> to create your account.
          </>
        ),
        form: <ConfirmTokenForm action={confirmSignupLink} token={typeof token === "string" ? token : ""} label="Confirm email" pendingLabel="Confirming…" fallback={{ href: "/signup", text: "Back to sign-up" }} />,
      }}
    />
  );
}
