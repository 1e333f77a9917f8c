import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ConfirmTokenForm } from "@/components/confirm-token-form";
import { EmailAddress } from "@/components/email-address";
import { LinkStatePage } from "@/components/link-state-page";
import { emailChangeFlow, emailChangeLinkState } from "@/lib/email-change";
import { getCurrentSession } from "@/lib/session";
import { confirmEmailChangeLink } from "./actions";

export const metadata: Metadata = { title: "Confirm your new email", robots: { index: false } };

/** The email-change link lands here; opening it spends nothing, the button does (in the asking browser). */
export default async function EmailChangeLinkPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const current = await getCurrentSession();
  if (!current) redirect("/login?next=/account");
  const { token } = await searchParams;
  const link = await emailChangeLinkState(current.user.id);
  return (
    <LinkStatePage
      copy={emailChangeFlow.pageCopy}
      state={typeof token !== "string" && link.state === "ready" ? "incomplete" : link.state}
      ready={{
        title: "Confirm your new email",
        description: (
          <>
            Make <EmailAddress value={link.email ?? ""} /> your email address?
          </>
        ),
        form: <ConfirmTokenForm action={confirmEmailChangeLink} token={typeof token === "string" ? token : ""} label="Confirm new email" pendingLabel="Confirming…" />,
      }}
    />
  );
}
