import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import type { User } from "@/db/schema";
import { TestBrowser } from "@/test/browser";
import { addSoftPasskey, mailSince, newUser, ORIGIN, signedInBrowser } from "@/test/factories";
import type { SoftCredential } from "@/test/soft-authenticator";
import { finishSignInEmail, requestSignInEmail } from "./email-sign-in";
import { listOutbox } from "./mail";
import { answerPasskeyOffer } from "./passkey-offer";
import { approveQrSignIn, claimQrSignIn, qrApprovalOptions, startQrSignIn } from "./qr-sign-in";
import { passkeySignInOptions, signInWithPasskey } from "./sign-in";

/**
 * What a browser sends with every request after a sign-in: its Cookie header for the site, as
 * under https, where every name carries the __Host- prefix. At most BUDGET_BYTES.
 *
 * An emailed sign-in's own pointer cookie ("email-signin") outlives it for an hour on purpose, so
 * its link page can say what became of it: it counts, but isn't one of the cookies kept for good.
 */
const BUDGET_BYTES = 600;
const LAPSING = ["email-signin"];

function cookieHeader(browser: TestBrowser): string {
  return [...browser.jar]
    .map(([name, value]) => `__Host-${name}=${value}`)
    .join("; ");
}
const bytes = (browser: TestBrowser) => Buffer.byteLength(cookieHeader(browser));
/** What a signed-in browser holds for good: its session, its device id, the remembered user. */
const kept = (browser: TestBrowser) => [...browser.jar.keys()].filter((name) => !LAPSING.includes(name)).sort();
const KEPT = ["device", "remember", "session"];

beforeAll(async () => {
  await getDb();
}, 60_000);

async function passkeySignIn(browser: TestBrowser, credential: SoftCredential, attachment: "platform" | "cross-platform") {
  const begun = await browser.run(() => passkeySignInOptions("discoverable"));
  if (!begun.ok) throw new Error(begun.error);
  expect(await browser.run(() => signInWithPasskey({ ...credential.authenticate(begun.options, ORIGIN), authenticatorAttachment: attachment }))).toEqual({ ok: true });
}

async function emailSignIn(browser: TestBrowser, user: User, kind: "code" | "link") {
  const newestBefore = listOutbox()[0]?.id;
  expect(await browser.run(() => requestSignInEmail(user.username))).toEqual({ ok: true });
  const mail = mailSince(newestBefore).find((m) => m.to === user.email)!;
  const value = kind === "code" ? mail.text.match(/\b(\d{6})\b/)![1]! : new URL(mail.text.match(/https?:\/\/\S+/)![0]).searchParams.get("token")!;
  expect(await browser.run(() => finishSignInEmail(kind, value))).toEqual({ ok: true });
}

async function qrSignIn(browser: TestBrowser, user: User) {
  const { passkey, credential } = await addSoftPasskey(user);
  const phone = await signedInBrowser(user, { method: "passkey", passkeyId: passkey.id });
  const started = await browser.run(() => startQrSignIn());
  if (!started.ok) throw new Error(started.error);
  const code = started.url.split("/q/")[1]!;
  const begun = await phone.run(() => qrApprovalOptions(code));
  if (!begun.ok) throw new Error(begun.error);
  expect(await phone.run(() => approveQrSignIn(code, credential.authenticate(begun.options, ORIGIN)))).toEqual({ ok: true });
  expect(await browser.run(claimQrSignIn)).toEqual({ ok: true });
}

describe(`cookies a browser sends after signing in: at most ${BUDGET_BYTES} bytes`, () => {
  it("after a passkey on this device, twice", async () => {
    const user = await newUser("budget");
    const { credential } = await addSoftPasskey(user);
    const browser = new TestBrowser();
    await passkeySignIn(browser, credential, "platform");
    await passkeySignIn(browser, credential, "platform");
    expect(kept(browser)).toEqual(KEPT);
    expect(bytes(browser)).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it("after a passkey from another device", async () => {
    const user = await newUser("budget");
    const { credential } = await addSoftPasskey(user);
    const browser = new TestBrowser();
    await passkeySignIn(browser, credential, "cross-platform");
    expect(kept(browser)).toEqual(KEPT);
    expect(bytes(browser)).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it("after an emailed code, and after an emailed link", async () => {
    for (const kind of ["code", "link"] as const) {
      const browser = new TestBrowser();
      await emailSignIn(browser, await newUser("budget"), kind);
      expect(kept(browser)).toEqual(KEPT);
      expect(bytes(browser)).toBeLessThanOrEqual(BUDGET_BYTES);
    }
  });

  it("after a QR sign-in approved by a phone", async () => {
    const browser = new TestBrowser();
    await qrSignIn(browser, await newUser("budget"));
    expect(kept(browser)).toEqual(KEPT);
    expect(bytes(browser)).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it("after answering the offer 'Not now' or 'Never' for several accounts on one device", async () => {
    const browser = new TestBrowser();
    for (let i = 0; i < 8; i++) {
      const user = await newUser("budget");
      const { credential } = await addSoftPasskey(user);
      await passkeySignIn(browser, credential, i % 3 === 0 ? "platform" : "cross-platform");
      await emailSignIn(browser, user, "code");
      expect(await browser.run(() => answerPasskeyOffer(i % 2 ? "never" : "later"))).toMatchObject({ ok: true });
      expect(kept(browser)).toEqual(KEPT);
      expect(bytes(browser)).toBeLessThanOrEqual(BUDGET_BYTES);
    }
  });
});
