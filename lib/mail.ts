import "server-only";
import { randomUUID } from "node:crypto";
import { after } from "next/server";
import { Resend } from "resend";
import { getConfig } from "./env";

export type MailMessage = { to: string; subject: string; text: string; html: string };
export type OutboxEntry = MailMessage & { id: string; sentAt: Date };

const OUTBOX_LIMIT = 200;
const globalMail = globalThis as unknown as { __passwordlessOutbox?: OutboxEntry[]; __passwordlessResend?: Resend };

/** True when mail goes to the dev outbox (see Config.outbox). */
export function usesOutbox(): boolean {
  return getConfig().outbox;
}

/**
 * Sends through Resend, or into the dev outbox (and the console) where that is on. With neither,
 * the message is dropped: its contents (codes, links) never reach a log.
 */
export async function sendMail(message: MailMessage): Promise<void> {
  const config = getConfig();
  if (config.outbox) {
    const outbox = (globalMail.__passwordlessOutbox ??= []);
    outbox.unshift({ ...message, id: randomUUID(), sentAt: new Date() });
    outbox.length = Math.min(outbox.length, OUTBOX_LIMIT);
    console.info(`\n[dev outbox] To: ${message.to}\nSubject: ${message.subject}\n\n${message.text}\n`);
    return;
  }
  if (!config.resend) {
    console.warn("mail not sent: RESEND_API_KEY is unset and the dev outbox is off");
    return;
  }
  globalMail.__passwordlessResend ??= new Resend(config.resend.apiKey, { baseUrl: config.resend.baseUrl });
  const { error } = await globalMail.__passwordlessResend.emails.send({ from: config.emailFrom, ...message });
  if (error) throw new Error(`Resend refused the message: ${error.name}`);
}

/**
 * Sends once the response has gone (Next's `after`), so how long sending takes can't tell anyone
 * whether an account exists. Outside a request (unit tests, scripts) `after` throws: send at once.
 */
export function sendMailLater(message: MailMessage): void {
  const send = () => sendMail(message).catch((error: unknown) => console.error("sending mail failed:", error instanceof Error ? error.message : error));
  try {
    after(send);
  } catch {
    void send();
  }
}

/** Newest first. */
export function listOutbox(): OutboxEntry[] {
  return [...(globalMail.__passwordlessOutbox ?? [])];
}
