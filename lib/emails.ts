import "server-only";
import type { MailMessage } from "./mail";

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

type Block = { text: string; html: string };
const paragraph = (s: string): Block => ({ text: s, html: `<p style="margin:0 0 16px">${escapeHtml(s)}</p>` });
const code = (c: string): Block => ({
  text: c,
  html: `<p style="margin:0 0 16px;font:600 28px/1.2 ui-monospace,Menlo,monospace;letter-spacing:6px">${escapeHtml(c)}</p>`,
});
const button = (label: string, url: string): Block => ({
  text: `${label}: ${url}`,
  html: `<p style="margin:0 0 16px"><a href="${escapeHtml(url)}" style="display:inline-block;padding:12px 20px;border-radius:8px;background:#4338ca;color:#ffffff;font-weight:600;text-decoration:none">${escapeHtml(label)}</a></p>`,
});

/**
 * One layout for every message: readable in light and dark clients, complete as plain text.
 * `title` heads the HTML when the subject says something else (a code mail's subject is its code).
 * `lastLine` ends the text part.
 */
function layout(to: string, subject: string, rpName: string, blocks: Block[], options: { title?: string; lastLine?: string } = {}): MailMessage {
  const title = options.title ?? subject;
  const text = [...blocks.map((b) => b.text), `— ${rpName}`, ...(options.lastLine ? [options.lastLine] : [])].join("\n\n") + "\n";
  const html = `<!doctype html><html><head><meta charset="utf-8"><meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark"><title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:24px;font:16px/1.5 -apple-system,Segoe UI,Roboto,sans-serif">
<div style="max-width:480px;margin:0 auto">
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(title)}</h1>
${blocks.map((b) => b.html).join("\n")}
<p style="margin:24px 0 0;font-size:13px;opacity:.7">${escapeHtml(rpName)}</p>
</div></body></html>`;
  return { to, subject, text, html };
}

/**
 * A mail carrying a code: the code leads the subject, so it shows in the notification, and the text
 * part ends with the domain-bound line Apple's AutoFill reads (`@host #code`), so the code is
 * offered only on this site. The host is the link's, which is the app's (the passkey RP ID).
 */
function codeLayout(input: { to: string; code: string; link: string; rpName: string }, title: string, blocks: Block[]): MailMessage {
  return layout(input.to, codeSubject(input.code, input.rpName), input.rpName, blocks, { title, lastLine: `@${new URL(input.link).hostname} #${input.code}` });
}

export const codeSubject = (code: string, rpName: string) => `${code} is your ${rpName} code`;

export function signupVerificationEmail(input: { to: string; code: string; link: string; rpName: string; minutes: number }): MailMessage {
  return codeLayout(input, `Confirm your email for ${input.rpName}`, [
    paragraph(`Enter this code to confirm your email address and finish creating your ${input.rpName} account:`),
    code(input.code),
    button("Confirm my email", input.link),
    paragraph(`The code and link expire in ${input.minutes} minutes and work only in the browser where you signed up.`),
    paragraph("If you didn't try to create an account, ignore this email: nothing happens without the code."),
  ]);
}

export function signInEmail(input: { to: string; code: string; link: string; rpName: string; minutes: number; requestedBy: string }): MailMessage {
  return codeLayout(input, `Sign in to ${input.rpName}`, [
    paragraph(`Someone (hopefully you) asked to sign in to ${input.rpName} from ${input.requestedBy}. Enter this code in that browser:`),
    code(input.code),
    button("Or sign in with this link", input.link),
    paragraph(`The code and link expire in ${input.minutes} minutes, work once, and sign in only the browser that asked. Reading this on another device? Open the link here and choose the number that browser shows.`),
    paragraph("If this wasn't you, ignore this email: nobody can sign in without the code or link, and your account is unchanged."),
  ]);
}

/** Sign-up with an address that already has an account: the owner hears, the form says nothing. */
export function accountExistsEmail(input: { to: string; rpName: string; signInUrl: string }): MailMessage {
  return layout(input.to, `You already have a ${input.rpName} account`, input.rpName, [
    paragraph(`Someone (hopefully you) tried to create a ${input.rpName} account with this address. It already has one, so no new account was made.`),
    button("Sign in instead", input.signInUrl),
    paragraph("If this wasn't you, ignore this email: nothing changed."),
  ]);
}

/** An email change to an address that already has an account: its owner hears, nothing changes. */
export function addressInUseEmail(input: { to: string; rpName: string }): MailMessage {
  return layout(input.to, `Your address was offered for another ${input.rpName} account`, input.rpName, [
    paragraph(`Someone asked to move another ${input.rpName} account to this address. It already belongs to your account, so nothing changed.`),
    paragraph("If that was you, sign in to the account that uses this address instead. Otherwise, ignore this email."),
  ]);
}

/**
 * A notice to the account's address about a change to its security. With `action`, the way to
 * undo it ("This wasn't me"); without, the advice its reader can follow from any device.
 */
export function securityNoticeEmail(input: { to: string; rpName: string; subject: string; lines: string[]; action?: { label: string; url: string } }): MailMessage {
  return layout(input.to, input.subject, input.rpName, [
    ...input.lines.map(paragraph),
    ...(input.action
      ? [button(input.action.label, input.action.url), paragraph("Opening the link changes nothing by itself: you'll see what will happen and confirm there.")]
      : [paragraph(`If this wasn't you, sign in to ${input.rpName} right away, remove any passkey you don't recognize, and sign out the devices you don't know.`)]),
  ]);
}

export function confirmItsYouEmail(input: { to: string; code: string; link: string; rpName: string; minutes: number; requestedBy: string }): MailMessage {
  return codeLayout(input, `Confirm it's you on ${input.rpName}`, [
    paragraph(`You asked to confirm it's you before changing how you sign in to ${input.rpName}, from ${input.requestedBy}. Enter this code there:`),
    code(input.code),
    button("Or confirm with this link", input.link),
    paragraph(`The code and link expire in ${input.minutes} minutes, work once, and only in the browser that asked.`),
    paragraph("If this wasn't you, someone is signed in to your account: sign in, sign out the devices you don't know, and remove any passkey you don't recognize."),
  ]);
}

export function emailChangeEmail(input: { to: string; code: string; link: string; rpName: string; minutes: number }): MailMessage {
  return codeLayout(input, `Confirm your new email for ${input.rpName}`, [
    paragraph(`Enter this code to make this your ${input.rpName} email address:`),
    code(input.code),
    button("Or confirm with this link", input.link),
    paragraph(`The code and link expire in ${input.minutes} minutes and work only in the browser where you asked for the change.`),
    paragraph("If you didn't ask for this, ignore this email: nothing changes without the code."),
  ]);
}
