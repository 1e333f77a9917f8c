import "server-only";
import { securityNoticeEmail } from "./emails";
import { getConfig } from "./env";
import { sendMailLater } from "./mail";

/** Tells the account's address about a change to its security, after the response. */
export function sendSecurityNotice(to: string, subject: string, lines: string[], action?: { label: string; url: string }): void {
  sendMailLater(securityNoticeEmail({ to, rpName: getConfig().rpName, subject, lines, action }));
}
