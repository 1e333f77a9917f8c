import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/card";
import { ConfirmTokenForm } from "@/components/confirm-token-form";
import { LinkStatePage } from "@/components/link-state-page";
import { readableDate } from "@/lib/dates";
import { approvalView, signInFlow, signInLinkState, type ApprovalView } from "@/lib/email-sign-in";
import { getCurrentSession } from "@/lib/session";
import { confirmEmailLink } from "./actions";
import { ApproveForm } from "./approve-form";

export const metadata: Metadata = { title: "Sign in", robots: { index: false } };

/**
 * Where the emailed sign-in link lands. Opening it (GET, HEAD, a mail scanner) spends nothing, sets
 * no session and counts no attempt: only a button's server action does. In the browser that asked,
 * "Sign in" signs it in; in any other browser (a phone, signed in or not), the link's request code (`r`) shows
 * what is asking and three numbers, and choosing the asking tab's number signs that tab in. The
 * page echoes only what was typed, never an account's address. (Referrer-Policy: same-origin is
 * set for this path in next.config.ts.)
 */
export default async function EmailLinkPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token, r } = await searchParams;
  const [current, link] = await Promise.all([getCurrentSession(), signInLinkState()]);
  // Signed in or not: approving spends the link, never this browser's own session.
  if (typeof token === "string" && typeof r === "string" && link.state === "elsewhere") {
    return <ApprovalPage view={await approvalView(r)} token={token} request={r} signedIn={Boolean(current)} />;
  }
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

const ENDED: Record<Exclude<ApprovalView["state"], "ready">, { title: string; description: string }> = {
  approved: { title: "This link was already used", description: "It approved a sign-in on the device that asked for it. Nothing more is needed here." },
  refused: { title: "This sign-in was stopped", description: "A number that wasn't the asking device's was chosen, so that sign-in was ended and nobody was signed in. To sign in, ask for a new link on your device." },
  ended: signInFlow.pageCopy("ended"),
  expired: signInFlow.pageCopy("expired"),
};

/** The link opened in another browser: approve the sign-in that asked for it, by its number. */
function ApprovalPage({ view, token, request, signedIn }: { view: ApprovalView; token: string; request: string; signedIn: boolean }) {
  if (view.state !== "ready") {
    const copy = ENDED[view.state];
    return (
      <Card title={copy.title} description={copy.description}>
        <Link href={signedIn ? "/account" : "/login"} className="text-center font-medium text-indigo-700 underline dark:text-indigo-300" data-state={view.state}>
          {signedIn ? "Go to your account" : "Sign in here instead"}
        </Link>
      </Card>
    );
  }
  return (
    <Card
      title="Approve this sign-in?"
      description={
        <>
          <p>
            {view.requestedBy} asked to sign in, {readableDate(new Date(view.askedAt))}: from the sign-in you started a moment ago. Choose the number that device
            shows. {signedIn ? "Nothing changes in this browser." : "This browser won't be signed in."}
          </p>
          <p className="mt-2">If you didn&apos;t just ask to sign in, close this page: nothing happens until a number is chosen.</p>
        </>
      }
    >
      <ApproveForm token={token} request={request} choices={view.choices} />
    </Card>
  );
}
