import { randomBytes } from "node:crypto";
import type { Passkey, User } from "@/db/schema";
import { requestSignInEmail } from "@/lib/email-sign-in";
import { listOutbox, type OutboxEntry } from "@/lib/mail";
import { listPasskeys, savePasskey } from "@/lib/passkeys";
import { completeSignIn, passkeySignInOptions, signInWithPasskey } from "@/lib/sign-in";
import { createVerifiedUser } from "@/lib/users";
import { registrationOptions, verifyRegistration } from "@/lib/webauthn";
import { TestBrowser } from "./browser";
import { SoftCredential } from "./soft-authenticator";

export const ORIGIN = "http://localhost:3000";

/** A verified user with a unique username and email, created through the app's own code. */
export async function newUser(prefix = "u"): Promise<User> {
  const id = randomBytes(5).toString("hex");
  const created = await createVerifiedUser({ username: `${prefix}_${id}`, email: `${prefix}.${id}@example.test`, name: null });
  if (!created.ok) throw new Error(created.error);
  return created.user;
}

/** Registers a software passkey for `user` through the real ceremony. */
export async function addSoftPasskey(user: User, context: { sessionId?: string; withPasskeyId?: string } = {}): Promise<{ passkey: Passkey; credential: SoftCredential }> {
  const credential = new SoftCredential(user.webauthnUserId);
  const options = await registrationOptions(user, await listPasskeys(user.id));
  const verified = await verifyRegistration(user.id, credential.register(options, ORIGIN));
  if (!verified.ok) throw new Error(verified.error);
  const saved = await savePasskey(user.id, verified.registration, { sessionId: context.sessionId ?? null, withPasskeyId: context.withPasskeyId, userAgent: null });
  if (!saved.ok) throw new Error(saved.error);
  return { passkey: saved.passkey, credential };
}

/** A passkey sign-in in `browser` through the real ceremony: options, then the assertion verified and signed in; returns `browser`. */
export async function passkeySignIn(browser: TestBrowser, credential: SoftCredential): Promise<TestBrowser> {
  const begun = await browser.run(() => passkeySignInOptions("discoverable"));
  if (!begun.ok) throw new Error(begun.error);
  const signedIn = await browser.run(() => signInWithPasskey(credential.authenticate(begun.options, ORIGIN)));
  if (!signedIn.ok) throw new Error(signedIn.error);
  return browser;
}

/** A browser signed in as `user` (a session row and its cookie). */
export async function signedInBrowser(user: User, way: { method: "passkey" | "email"; passkeyId?: string } = { method: "email" }): Promise<TestBrowser> {
  const browser = new TestBrowser();
  await browser.run(() => completeSignIn(user, way));
  return browser;
}

/**
 * What the dev outbox received after the entry `newestBefore` (its newest id, read before), newest
 * first. By entry, not count: the outbox keeps only its newest 200, so once full its length stays put.
 */
export function mailSince(newestBefore: string | undefined): OutboxEntry[] {
  const all = listOutbox();
  const at = all.findIndex((m) => m.id === newestBefore);
  return at < 0 ? all : all.slice(0, at);
}

/** Asks for an email sign-in in `browser` (a new one by default), as a person would; what the mail said, if one was sent. */
export async function askSignInEmail(identifier: string, browser = new TestBrowser()) {
  const newestBefore = listOutbox()[0]?.id;
  const requested = await browser.run(() => requestSignInEmail(identifier));
  if (!requested.ok) throw new Error(requested.error);
  const mail = mailSince(newestBefore)[0];
  const link = mail ? new URL(mail.text.match(/https?:\/\/\S+/)![0]) : undefined;
  const code = mail?.text.match(/\b(\d{6})\b/)?.[1] ?? "";
  return { browser, id: browser.cookie("email-signin")!, mail, code, secret: link?.searchParams.get("token") ?? "", request: link?.searchParams.get("r") ?? "" };
}
