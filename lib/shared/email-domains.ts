/**
 * What the typed text of an address alone can tell, before anything is sent: a likely typo in a
 * common mail domain, and which webmail opens its inbox. Nothing here asks the server, so it says
 * nothing about which addresses have accounts.
 */

/** Real domains near a popular one (mail.com is one letter from gmail.com): never "corrected". */
const KNOWN_DOMAINS = new Set([
  "gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "hotmail.com", "outlook.com", "live.com", "msn.com",
  "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "pm.me", "gmx.com", "gmx.de",
  "gmx.net", "mail.com", "web.de", "hey.com", "fastmail.com", "zoho.com", "yandex.ru", "qq.com",
]);
/** Suggested corrections: long enough that one slip from them is rarely another real domain. */
const SUGGESTED_DOMAINS = ["gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "protonmail.com"];

/** "Did you mean …": the address with its domain corrected, when the domain is one slip from a popular one. */
export function suggestEmail(typed: string): string | null {
  const address = typed.trim();
  const at = address.lastIndexOf("@");
  if (at < 1 || at === address.length - 1) return null;
  const domain = address.slice(at + 1).toLowerCase();
  if (KNOWN_DOMAINS.has(domain)) return null;
  const match = SUGGESTED_DOMAINS.find((candidate) => oneSlipApart(domain, candidate));
  return match ? `${address.slice(0, at)}@${match}` : null;
}

/** One character added, dropped, changed, or two neighbours swapped (optimal string alignment distance 1). */
function oneSlipApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const rest = (x: string, from: number) => x.slice(from);
  return (
    rest(a, i + 1) === rest(b, i + 1) || // changed
    rest(a, i + 1) === rest(b, i) || // added to a
    rest(a, i) === rest(b, i + 1) || // dropped from a
    (a[i] === b[i + 1] && a[i + 1] === b[i] && rest(a, i + 2) === rest(b, i + 2)) // swapped
  );
}

export type InboxLink = { label: string; href: string };

/**
 * "Open Gmail" and the like for the address's domain, searched for our sender where the webmail
 * has a search URL (Gmail); Outlook and Proton open the inbox.
 */
export function inboxLink(address: string, senderAddress: string): InboxLink | null {
  const domain = address.trim().slice(address.trim().lastIndexOf("@") + 1).toLowerCase();
  if (!address.includes("@")) return null;
  if (domain === "gmail.com" || domain === "googlemail.com") {
    return { label: "Open Gmail", href: `https://mail.google.com/mail/u/0/#search/${encodeURIComponent(`from:${senderAddress} newer_than:1d`)}` };
  }
  if (["outlook.com", "hotmail.com", "live.com", "msn.com"].includes(domain)) return { label: "Open Outlook", href: "https://outlook.live.com/mail/0/" };
  if (["proton.me", "protonmail.com", "pm.me"].includes(domain)) return { label: "Open Proton Mail", href: "https://mail.proton.me/u/0/inbox" };
  return null;
}

/** The bare address in a From header ("Name <a@b>" or "a@b"). */
export function senderAddress(from: string): string {
  return from.match(/<([^>]+)>/)?.[1] ?? from.trim();
}
