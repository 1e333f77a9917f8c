import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { TestBrowser } from "@/test/browser";
import { newUser, ORIGIN, passkeySignIn } from "@/test/factories";
import { recentActivity } from "./activity";
import { addPasskeyOptions, addPasskeyVerify } from "./account-passkeys";
import { finishSignInEmail, requestSignInEmail } from "./email-sign-in";
import { listOutbox } from "./mail";
import { listPasskeys } from "./passkeys";
import { endSession, getCurrentSession } from "./session";
import { describeSignInReport, reportSignIn } from "./sign-in-alerts";
import { SoftCredential } from "@/test/soft-authenticator";
import type { User } from "@/db/schema";

beforeAll(async () => {
  await getDb();
}, 60_000);

const alerts = (to: string) => listOutbox().filter((m) => m.to === to && m.subject === "New sign-in to Passwordless");
const reportToken = (to: string) => new URL(alerts(to)[0]!.text.match(/This wasn't me: (\S+)/)![1]!).searchParams.get("token")!;

async function emailSignIn(user: User, browser = new TestBrowser()) {
  await browser.run(() => requestSignInEmail(user.username));
  const code = listOutbox().find((m) => m.to === user.email)!.text.match(/\b(\d{6})\b/)![1]!;
  expect(await browser.run(() => finishSignInEmail("code", code))).toEqual({ ok: true });
  return browser;
}

describe("new sign-in alerts", () => {
  it("every email sign-in is announced; a passkey sign-in only from a browser the account hasn't used", async () => {
    const user = await newUser();
    const browser = await emailSignIn(user);
    expect(alerts(user.email)).toHaveLength(1);
    expect(alerts(user.email)[0]!.text).toContain("with a link or code sent to this address: Chrome on Linux");

    const key = await addKey(browser, user);

    // The same browser: known, no alert. Another browser: announced.
    await passkeySignIn(browser, key);
    expect(alerts(user.email)).toHaveLength(1);
    await passkeySignIn(new TestBrowser(), key);
    expect(alerts(user.email)).toHaveLength(2);
    expect(alerts(user.email)[0]!.text).toContain("with a passkey, from a browser it hadn't been used in before");
  });

  it("'This wasn't me': opening changes nothing; pressing signs that sign-in out and removes the passkeys it added, once", async () => {
    const user = await newUser();
    const owner = await emailSignIn(user);
    const attacker = await emailSignIn(user);
    const token = reportToken(user.email);

    // The attacker adds a passkey and signs in with it from yet another browser.
    const key = await addKey(attacker, user);
    const attackerElsewhere = new TestBrowser();
    await passkeySignIn(attackerElsewhere, key);

    expect(await describeSignInReport(token)).toMatchObject({ method: "email", device: "Chrome on Linux" });
    expect(await attacker.run(getCurrentSession)).not.toBeNull();

    expect(await reportSignIn(token)).toEqual({ ok: true, signedOut: 2, removedPasskeys: 1 });
    expect(await attacker.run(getCurrentSession)).toBeNull();
    expect(await attackerElsewhere.run(getCurrentSession)).toBeNull();
    expect(await owner.run(getCurrentSession)).not.toBeNull();
    expect(await listPasskeys(user.id)).toHaveLength(0);
    expect((await recentActivity(user.id, 1))[0]).toMatchObject({ type: "sign_in_reported", detail: { signedOut: "2", removedPasskeys: "1" } });

    expect(await reportSignIn(token)).toEqual({ ok: false, error: "link_invalid" });
    expect(await describeSignInReport(token)).toBeNull();
    expect(await reportSignIn("not-a-token")).toEqual({ ok: false, error: "link_invalid" });
  });

  it("'This wasn't me' follows the chain: passkeys added by sessions that signed in with a passkey the reported sign-in added", async () => {
    const user = await newUser();
    const owner = await emailSignIn(user);
    const ownKey = await addKey(owner, user);
    const attacker = await emailSignIn(user);
    const token = reportToken(user.email);

    // Reported session → key 1 → a session signed in with it → key 2 → a session signed in with that.
    const first = await addKey(attacker, user);
    const second = new TestBrowser();
    await passkeySignIn(second, first);
    const next = await addKey(second, user);
    const third = new TestBrowser();
    await passkeySignIn(third, next);
    // The middle of the chain signs out: the chain still holds.
    await second.run(endSession);
    // The owner's own passkey, used elsewhere, is none of the attacker's doing.
    const ownerElsewhere = new TestBrowser();
    await passkeySignIn(ownerElsewhere, ownKey);

    expect(await reportSignIn(token)).toEqual({ ok: true, signedOut: 2, removedPasskeys: 2 });
    for (const browser of [attacker, second, third]) expect(await browser.run(getCurrentSession)).toBeNull();
    for (const browser of [owner, ownerElsewhere]) expect(await browser.run(getCurrentSession)).not.toBeNull();
    expect(await listPasskeys(user.id)).toHaveLength(1);
  });
});

/** Adds a software passkey through the account page's actions in `browser`. */
async function addKey(browser: TestBrowser, user: User): Promise<SoftCredential> {
  const options = await browser.run(() => addPasskeyOptions());
  if (!options.ok) throw new Error(options.error);
  const key = new SoftCredential(user.webauthnUserId);
  const added = await browser.run(() => addPasskeyVerify(key.register(options.options, ORIGIN)));
  if (!added.ok) throw new Error(added.error);
  return key;
}
