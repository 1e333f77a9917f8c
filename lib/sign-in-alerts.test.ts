import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { TestBrowser } from "@/test/browser";
import { askSignInEmail, newUser, ORIGIN, passkeySignIn } from "@/test/factories";
import { recentActivity } from "./activity";
import { addPasskeyOptions, addPasskeyVerify } from "./account-passkeys";
import { finishSignInEmail } from "./email-sign-in";
import { listOutbox } from "./mail";
import { listPasskeys } from "./passkeys";
import { MAX_ACCOUNTS } from "./device";
import { endSession, getCurrentSession } from "./session";
import { describeSignInReport, reportSignIn, spentReportState } from "./sign-in-alerts";
import { SoftCredential } from "@/test/soft-authenticator";
import type { User } from "@/db/schema";

beforeAll(async () => void (await getDb()));

const alerts = (to: string) => listOutbox().filter((m) => m.to === to && m.subject === "New sign-in to Passwordless");
const notices = (to: string, subject: string) => listOutbox().filter((m) => m.to === to && m.subject === subject);
const reportToken = (to: string) => new URL(alerts(to)[0]!.text.match(/This wasn't me: (\S+)/)![1]!).searchParams.get("token")!;

async function emailSignIn(user: User, browser = new TestBrowser()) {
  const { code } = await askSignInEmail(user.username, browser);
  expect(await browser.run(() => finishSignInEmail("code", code))).toEqual({ ok: true });
  return browser;
}

describe("new sign-in alerts", () => {
  it("every email sign-in is announced; a passkey sign-in only from a browser the account hasn't used", async () => {
    const user = await newUser();
    const browser = await emailSignIn(user);
    expect(alerts(user.email)).toHaveLength(1);
    expect(alerts(user.email)[0]!.text).toContain("with a link or code sent to this address: Chrome on Linux");
    // The date as people read it, not "Sat, 05 Dec 2026 16:46:15 GMT".
    expect(alerts(user.email)[0]!.text).toMatch(/Chrome on Linux, [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+( \d{4})?, \d{2}:\d{2} UTC\./);

    const key = await addKey(browser, user);

    // The same browser: known, no alert. Another browser: announced.
    await passkeySignIn(browser, key);
    expect(alerts(user.email)).toHaveLength(1);
    await passkeySignIn(new TestBrowser(), key);
    expect(alerts(user.email)).toHaveLength(2);
    expect(alerts(user.email)[0]!.text).toContain("with a passkey, from a browser it hadn't been used in before");
  });

  it("'This wasn't me' from the owner's passkey browser: opening changes nothing; pressing signs that sign-in out and removes the passkeys it added, once", async () => {
    const user = await newUser();
    const setup = await emailSignIn(user);
    const ownKey = await addKey(setup, user);
    const owner = await passkeySignIn(new TestBrowser(), ownKey);
    const attacker = await emailSignIn(user);
    const token = reportToken(user.email);

    // The attacker adds a passkey and signs in with it from yet another browser.
    const key = await addKey(attacker, user);
    const attackerElsewhere = await passkeySignIn(new TestBrowser(), key);

    expect(await owner.run(() => describeSignInReport(token))).toMatchObject({ method: "email", device: "Chrome on Linux", addedPasskeys: 1, canRemovePasskeys: true });
    expect(await attacker.run(getCurrentSession)).not.toBeNull();

    expect(await owner.run(() => reportSignIn(token))).toEqual({ ok: true, signedOut: 2, removedPasskeys: 1, keptPasskeys: 0 });
    expect(await attacker.run(getCurrentSession)).toBeNull();
    expect(await attackerElsewhere.run(getCurrentSession)).toBeNull();
    expect(await owner.run(getCurrentSession)).not.toBeNull();
    expect(await listPasskeys(user.id)).toHaveLength(1);
    expect((await recentActivity(user.id, 1))[0]).toMatchObject({ type: "sign_in_reported", detail: { signedOut: "2", removedPasskeys: "1", keptPasskeys: "0" } });
    expect(notices(user.email, "Passkeys were removed from your account")[0]!.text).toContain("These passkeys it added were removed: Chrome on Linux 2.");

    expect(await owner.run(() => reportSignIn(token))).toEqual({ ok: false, error: "link_invalid" });
    expect(await describeSignInReport(token)).toBeNull();
    expect(await reportSignIn("not-a-token")).toEqual({ ok: false, error: "link_invalid" });
    // Its page names the case: this link was used; another never-issued one reads as expired; a cut one as incomplete.
    expect(await spentReportState(token)).toBe("used");
    expect(await spentReportState("A".repeat(43))).toBe("expired");
    expect(await spentReportState(token.slice(0, 20))).toBe("incomplete");
  });

  it("an inbox thief can't use the owner's own alert to remove the owner's passkey and escape the hold", async () => {
    // The owner signed up without a passkey, later signed in by email on a laptop and added one there.
    const user = await newUser();
    const laptop = await emailSignIn(user);
    const ownersAlert = reportToken(user.email);
    const ownKey = await addKey(laptop, user);

    // The thief signs in by email: held, as designed.
    const thief = await emailSignIn(user);
    expect((await thief.run(getCurrentSession))!.session.heldUntil).not.toBeNull();

    // The thief presses the owner's older alert, signed in (held) and signed out alike.
    for (const presser of [thief, new TestBrowser()]) {
      expect(await presser.run(() => describeSignInReport(ownersAlert))).toMatchObject({ addedPasskeys: 1, canRemovePasskeys: false });
    }
    expect(await thief.run(() => reportSignIn(ownersAlert))).toEqual({ ok: true, signedOut: 1, removedPasskeys: 0, keptPasskeys: 1 });
    expect(await laptop.run(getCurrentSession)).toBeNull();
    expect(await listPasskeys(user.id)).toHaveLength(1);
    expect(notices(user.email, "A sign-in to your account was ended")[0]!.text).toContain("was kept: only a browser signed in with a passkey you had before that sign-in can remove it");
    // Pressing again changes nothing more.
    expect(await new TestBrowser().run(() => reportSignIn(ownersAlert))).toEqual({ ok: false, error: "report_needs_passkey" });
    expect(await listPasskeys(user.id)).toHaveLength(1);

    // The account still has its passkey: the thief's next email sign-in is held too, and risky changes stay refused.
    const again = await emailSignIn(user);
    expect((await again.run(getCurrentSession))!.session.heldUntil).not.toBeNull();

    // The owner signs back in with the passkey.
    await passkeySignIn(laptop, ownKey);
    expect((await laptop.run(getCurrentSession))!.session.heldUntil).toBeNull();
  });

  it("a report pressed where no older passkey vouches ends the sessions; pressed again where one does, it removes the passkeys", async () => {
    const user = await newUser();
    const setup = await emailSignIn(user);
    const ownKey = await addKey(setup, user);
    const attacker = await emailSignIn(user);
    const token = reportToken(user.email);
    await addKey(attacker, user);

    // The owner reads the alert on a phone that isn't signed in.
    expect(await new TestBrowser().run(() => reportSignIn(token))).toEqual({ ok: true, signedOut: 1, removedPasskeys: 0, keptPasskeys: 1 });
    expect(await attacker.run(getCurrentSession)).toBeNull();
    expect(await describeSignInReport(token)).toMatchObject({ sessionsEnded: true, addedPasskeys: 1, canRemovePasskeys: false });

    // An email session, or one signed in with a passkey added after that sign-in, doesn't vouch either.
    const emailOnly = await emailSignIn(user);
    expect(await emailOnly.run(() => reportSignIn(token))).toEqual({ ok: false, error: "report_needs_passkey" });

    const owner = await passkeySignIn(new TestBrowser(), ownKey);
    expect(await owner.run(() => describeSignInReport(token))).toMatchObject({ canRemovePasskeys: true });
    expect(await owner.run(() => reportSignIn(token))).toEqual({ ok: true, signedOut: 0, removedPasskeys: 1, keptPasskeys: 0 });
    expect(await listPasskeys(user.id)).toHaveLength(1);
    expect(await owner.run(() => reportSignIn(token))).toEqual({ ok: false, error: "link_invalid" });
  });

  it("an alert for a passkey sign-in from a new browser: a report ends it; what it added goes only from a vouched browser", async () => {
    const user = await newUser();
    const setup = await emailSignIn(user);
    const ownKey = await addKey(setup, user);
    const owner = await passkeySignIn(new TestBrowser(), ownKey);
    const before = alerts(user.email).length;

    // A passkey sign-in from a browser the account hasn't used is announced; it adds a passkey there.
    const phone = await passkeySignIn(new TestBrowser(), ownKey);
    expect(alerts(user.email)).toHaveLength(before + 1);
    const token = reportToken(user.email);
    await addKey(phone, user);
    expect(await describeSignInReport(token)).toMatchObject({ method: "passkey", addedPasskeys: 1 });

    // An inbox thief (held, email only) pressing it ends that sign-in but keeps its passkey...
    const thief = await emailSignIn(user);
    expect(await thief.run(() => describeSignInReport(token))).toMatchObject({ canRemovePasskeys: false });
    expect(await thief.run(() => reportSignIn(token))).toEqual({ ok: true, signedOut: 1, removedPasskeys: 0, keptPasskeys: 1 });
    expect(await phone.run(getCurrentSession)).toBeNull();
    expect(await listPasskeys(user.id)).toHaveLength(2);
    // ...which the owner, signed in with the older passkey, then removes.
    expect(await owner.run(() => reportSignIn(token))).toEqual({ ok: true, signedOut: 0, removedPasskeys: 1, keptPasskeys: 0 });
    expect(await listPasskeys(user.id)).toHaveLength(1);
    // The reported browser is forgotten: its next passkey sign-in is announced again.
    const alertsBefore = alerts(user.email).length;
    await passkeySignIn(phone, ownKey);
    expect(alerts(user.email)).toHaveLength(alertsBefore + 1);
  });

  it(`a browser remembers its newest ${MAX_ACCOUNTS} accounts: a passkey sign-in to one it has forgotten is announced again`, async () => {
    const browser = new TestBrowser();
    const accounts: { user: User; key: SoftCredential }[] = [];
    for (let i = 0; i < MAX_ACCOUNTS + 1; i++) {
      const user = await newUser();
      accounts.push({ user, key: await addKey(await emailSignIn(user, browser), user) });
    }
    const [oldest, newest] = [accounts[0]!, accounts.at(-1)!];
    const [oldestAlerts, newestAlerts] = [alerts(oldest.user.email).length, alerts(newest.user.email).length];
    await passkeySignIn(browser, newest.key);
    expect(alerts(newest.user.email)).toHaveLength(newestAlerts);
    await passkeySignIn(browser, oldest.key);
    expect(alerts(oldest.user.email)).toHaveLength(oldestAlerts + 1);
  });
  it("'This wasn't me' follows the chain: passkeys added by sessions that signed in with a passkey the reported sign-in added", async () => {
    const user = await newUser();
    const owner = await emailSignIn(user);
    const ownKey = await addKey(owner, user);
    const attacker = await emailSignIn(user);
    const token = reportToken(user.email);

    // Reported session → key 1 → a session signed in with it → key 2 → a session signed in with that.
    const first = await addKey(attacker, user);
    const second = await passkeySignIn(new TestBrowser(), first);
    const next = await addKey(second, user);
    const third = await passkeySignIn(new TestBrowser(), next);
    // The middle of the chain signs out: the chain still holds.
    await second.run(endSession);
    // The owner's own passkey, used elsewhere, is none of the attacker's doing.
    const ownerElsewhere = await passkeySignIn(new TestBrowser(), ownKey);

    expect(await ownerElsewhere.run(() => reportSignIn(token))).toEqual({ ok: true, signedOut: 2, removedPasskeys: 2, keptPasskeys: 0 });
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
