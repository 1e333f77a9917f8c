import type { Metadata } from "next";
import { ConfirmTokenForm } from "@/components/confirm-token-form";
import { LinkStatePage } from "@/components/link-state-page";
import { signInFlow, signInLinkState } from "@/lib/email-sign-in";
import { getCurrentSession } from "@/lib/session";
import { confirmEmailLink } from "./actions";

export const metadata: Metadata = { title: "Sign in", robots: { index: false } };

/**
 * Where the emailed sign-in link lands. Opening it (GET, HEAD, a mail scanner) spends nothing, sets
 * no session and counts no attempt: only the "Sign in" button's server action does, and only in
 * the browser that asked. The page says truthfully where the link stands in this browser, and
 * echoes only what was typed, never an account's address. (Referrer-Policy: same-origin is set
 * for this path in next.config.ts.)
 */
export default async function EmailLinkPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  const [current, link] = await Promise.all([getCurrentSession(), signInLinkState()]);
  return (
    <LinkStatePage
      copy={signInFlow.pageCopy}
      state={current ? (link.state === "used" ? "moved_on" : "signed_in") : typeof token !== "string" ? "incomplete" : link.state}
      signedInAs={current?.user.username}
      ready={{
        title: `Sign in as ${link.typed ?? ""}`,
        description: "Press the button to finish signing in on this device.",
        form: <ConfirmTokenForm action={confirmEmailLink} token={typeof token === "string" ? token : ""} label="Sign in" pendingLabel="Signing in…" fallback={{ href: "/login/code", text: "Type the code instead" }} />,
      }}
    />
  );
}
