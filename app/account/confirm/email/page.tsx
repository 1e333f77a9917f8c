import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ConfirmTokenForm } from "@/components/confirm-token-form";
import { LinkStatePage } from "@/components/link-state-page";
import { confirmLinkState, reauthFlow } from "@/lib/reauth";
import { getCurrentSession } from "@/lib/session";
import { confirmLinkAction } from "./actions";

export const metadata: Metadata = { title: "Confirm it's you", robots: { index: false } };

/** The "Confirm it's you" email's link: opening it spends nothing; the button does, in the browser that asked. */
export default async function ConfirmLinkPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  const current = await getCurrentSession();
  if (!current) redirect("/login?next=/account/confirm");
  const state = await confirmLinkState(current.user.id);
  return (
    <LinkStatePage
      copy={reauthFlow.pageCopy}
      state={typeof token !== "string" && state === "ready" ? "incomplete" : state}
      ready={{
        title: "Confirm it's you",
        description: "Press the button to confirm it's you in this browser.",
        form: <ConfirmTokenForm action={confirmLinkAction} token={typeof token === "string" ? token : ""} label="Confirm it's me" pendingLabel="Confirming…" fallback={{ href: "/account/confirm", text: "Type the code instead" }} />,
      }}
    />
  );
}
