import { inboxLink, senderAddress } from "@/lib/shared/email-domains";
import { getConfig } from "@/lib/env";
import { buttonClass } from "./button-styles";

/** "Open Gmail" (searched for our sender), "Open Outlook", "Open Proton Mail": from the typed address's domain only. */
export function OpenInbox({ address }: { address: string }) {
  const link = inboxLink(address, senderAddress(getConfig().emailFrom));
  if (!link) return null;
  return (
    <a href={link.href} target="_blank" rel="noopener noreferrer" className={buttonClass("secondary")}>
      {link.label}
    </a>
  );
}
