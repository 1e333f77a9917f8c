import Link from "next/link";
import type { ReactNode } from "react";
import type { LinkPageCopy, LinkPageState } from "@/lib/emailed-flow";
import { Card } from "./card";
import { AnnounceProgress } from "./tab-sync";

/**
 * What an emailed link's page says. Each says the truth about this browser: ready to use (the
 * flow's own form), used here already, expired, asked for in another browser, or not needed
 * because this browser is signed in. The copy of every state but "ready" is the flow's own
 * (its `defineEmailedFlow` page), so a flow and its page can't drift apart.
 */
export function LinkStatePage({
  copy,
  state,
  ready,
  signedInAs,
}: {
  copy: (state: Exclude<LinkPageState, "ready">) => LinkPageCopy;
  state: LinkPageState;
  ready: { title: string; description: ReactNode; form: ReactNode };
  signedInAs?: string;
}) {
  if (state === "ready") {
    return (
      <Card title={ready.title} description={ready.description}>
        {ready.form}
      </Card>
    );
  }
  const shown = copy(state);
  return (
    <Card title={shown.title} description={state === "signed_in" && signedInAs ? `${shown.description} You're signed in as ${signedInAs}.` : shown.description}>
      {(state === "moved_on" || state === "used") && <AnnounceProgress />}
      <Link href={shown.action.href} className="text-center font-medium text-indigo-700 underline dark:text-indigo-300" data-state={state}>
        {shown.action.label}
      </Link>
    </Card>
  );
}
