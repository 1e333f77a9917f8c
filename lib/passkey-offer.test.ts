import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { deviceNotes, passkeys, type User } from "@/db/schema";
import { TestBrowser } from "@/test/browser";
import { addSoftPasskey, newUser, ORIGIN, signedInBrowser } from "@/test/factories";
import type { SoftCredential } from "@/test/soft-authenticator";
import { deleteAccount } from "./account";
import { MAX_ACCOUNTS } from "./device";
import { answerPasskeyOffer, decideOffer, offerReason, passkeyFingerprint, passkeyUse, pendingPasskeyOffer, SNOOZE_MS } from "./passkey-offer";
import { sha256Hex } from "./secrets";
import { deletePasskey, listPasskeys } from "./passkeys";
import { getCurrentSession } from "./session";
import { completeSignIn, passkeySignInOptions, signInWithPasskey } from "./sign-in";

beforeAll(async () => void (await getDb()));

const DAY = 24 * 60 * 60 * 1000;

/** What the account page would offer this browser now. */
async function offerIn(browser: TestBrowser): Promise<string | null> {
  return browser.run(async () => {
    const current = await getCurrentSession();
    if (!current) throw new Error("not signed in");
    return pendingPasskeyOffer(current, await listPasskeys(current.user.id));
  });
}

/** A passkey sign-in through the real ceremony, the browser reporting `attachment`. */
async function passkeySignIn(browser: TestBrowser, credential: SoftCredential, attachment?: "platform" | "cross-platform") {
  const begun = await browser.run(() => passkeySignInOptions("discoverable"));
  if (!begun.ok) throw new Error(begun.error);
  const response = { ...credential.authenticate(begun.options, ORIGIN), authenticatorAttachment: attachment };
  expect(await browser.run(() => signInWithPasskey(response))).toEqual({ ok: true });
}

const emailSignIn = (browser: TestBrowser, user: User) => browser.run(() => completeSignIn(user, { method: "email" }));

describe("passkey offer: the rules", () => {
  it("a passkey's use: this device, another device (hybrid), or a security key (usb, nfc, ble); unknown when the browser doesn't say", () => {
    expect(passkeyUse("platform", ["usb"])).toBe("platform");
    expect(passkeyUse("cross-platform", ["hybrid", "internal"])).toBe("other-device");
    expect(passkeyUse("cross-platform", [])).toBe("other-device");
    expect(passkeyUse("cross-platform", ["nfc", "usb"])).toBe("security-key");
    expect(passkeyUse("cross-platform", ["ble"])).toBe("security-key");
    expect(passkeyUse(undefined, ["internal"])).toBeUndefined();
    expect(offerReason({ method: "email" })).toBe("email");
    expect(offerReason({ method: "passkey", use: "other-device" })).toBe("other-device");
    expect(offerReason({ method: "passkey", use: "security-key" })).toBe("security-key");
    expect(offerReason({ method: "passkey", use: "platform" })).toBeNull();
    expect(offerReason({ method: "passkey" })).toBeNull();
  });

  it("offers unless told never, snoozed until later, the device holds one of the account's passkeys, or the account is full", () => {
    const now = Date.now();
    expect(decideOffer("email", undefined, [], now)).toBe("email");
    expect(decideOffer(null, undefined, [], now)).toBeNull();
    expect(decideOffer("email", { never: 1 }, [], now)).toBeNull();
    expect(decideOffer("email", { until: now + 1 }, [], now)).toBeNull();
    expect(decideOffer("email", { until: now - 1 }, [], now)).toBe("email");
    expect(decideOffer("other-device", { here: passkeyFingerprint("pk-1") }, ["pk-0", "pk-1"], now)).toBeNull();
    // The passkey this device held is gone from the account: this device has none of its passkeys.
    expect(decideOffer("other-device", { here: passkeyFingerprint("pk-1") }, ["pk-0"], now)).toBe("other-device");
    expect(decideOffer("email", undefined, Array.from({ length: 10 }, (_, i) => `pk-${i}`), now)).toBeNull();
  });
});

describe("passkey offer: per sign-in, per account and device", () => {
  it("after an email sign-in: offered; 'Not now' hides it for 14 days at most, then a new sign-in asks again", async () => {
    const user = await newUser("offer");
    const browser = await signedInBrowser(user);
    expect(await offerIn(browser)).toBe("email");
    expect(await browser.run(() => answerPasskeyOffer("later"))).toEqual({ ok: true });
    expect(await offerIn(browser)).toBeNull();
    await emailSignIn(browser, user);
    expect(await offerIn(browser)).toBeNull(); // still snoozed

    // A "Not now" from more than 14 days ago has run out.
    await browser.run(() => answerPasskeyOffer("later", Date.now() - SNOOZE_MS - DAY));
    await emailSignIn(browser, user);
    expect(await offerIn(browser)).toBe("email");
  });

  it("'Don't ask on this device' holds for that account on that device only", async () => {
    const [ada, bob] = [await newUser("never"), await newUser("never")];
    const laptop = await signedInBrowser(ada);
    expect(await laptop.run(() => answerPasskeyOffer("never"))).toEqual({ ok: true });
    await emailSignIn(laptop, ada);
    expect(await offerIn(laptop)).toBeNull();
    // Another account on the same device is still asked, and "never" outlives it.
    await emailSignIn(laptop, bob);
    expect(await offerIn(laptop)).toBe("email");
    await emailSignIn(laptop, ada);
    expect(await offerIn(laptop)).toBeNull();
    // The same account on another device is still asked.
    expect(await offerIn(await signedInBrowser(ada))).toBe("email");
  });

  it("a platform passkey sign-in offers nothing, and marks this device as holding it until it leaves the account", async () => {
    const user = await newUser("platform");
    const { credential, passkey } = await addSoftPasskey(user);
    const browser = new TestBrowser();
    await passkeySignIn(browser, credential, "platform");
    expect(await offerIn(browser)).toBeNull();
    // Later, by email on the same device: it has a passkey of the account's, so no offer.
    await emailSignIn(browser, user);
    expect(await offerIn(browser)).toBeNull();
    await deletePasskey(user.id, passkey.id);
    await emailSignIn(browser, user);
    expect(await offerIn(browser)).toBe("email");
  });

  it("a passkey from another device offers; a security key offers only quietly; a browser that doesn't say offers nothing", async () => {
    const user = await newUser("roaming");
    const { credential, passkey } = await addSoftPasskey(user);
    const browser = new TestBrowser();
    await passkeySignIn(browser, credential, "cross-platform");
    expect(await offerIn(browser)).toBe("other-device");

    const db = await getDb();
    await db.update(passkeys).set({ transports: ["usb"] }).where(eq(passkeys.id, passkey.id));
    await passkeySignIn(browser, credential, "cross-platform");
    expect(await offerIn(browser)).toBe("security-key");

    await passkeySignIn(browser, credential, undefined);
    expect(await offerIn(browser)).toBeNull();
  });

  it("the offer belongs to its sign-in: a copied cookie, or another session, gets none", async () => {
    const user = await newUser("bound");
    const browser = await signedInBrowser(user);
    expect(await offerIn(browser)).toBe("email");
    const other = await signedInBrowser(user, { method: "passkey" });
    expect(await offerIn(other)).toBeNull();
    other.jar.set("device", browser.cookie("device")!);
    expect(await offerIn(other)).toBeNull();
    // A device cookie that isn't one reads as a device with no notes, never as an error.
    browser.jar.set("device", "garbage");
    expect(await offerIn(browser)).toBe("email");
    // The reason is on the session row: a cookie claiming one (as the old offer cookie did) makes none.
    other.jar.set("passkey-offer", `${(await other.run(getCurrentSession))!.session.id}:security-key`);
    expect(await offerIn(other)).toBeNull();
  });

  it("answering needs a session", async () => {
    expect(await new TestBrowser().run(() => answerPasskeyOffer("never"))).toEqual({ ok: false, error: "not_signed_in" });
  });
});

describe("passkey offer: what a device remembers lives on the server, keyed by its device cookie", () => {
  const notesOf = async (browser: TestBrowser) => (await getDb()).select().from(deviceNotes).where(eq(deviceNotes.deviceHash, sha256Hex(browser.cookie("device")!)));

  it("the browser holds only its session, device and remember cookies; the note is stored under the device id's hash, never the id", async () => {
    const user = await newUser("notes");
    const browser = await signedInBrowser(user);
    expect(await browser.run(() => answerPasskeyOffer("never"))).toEqual({ ok: true });
    expect([...browser.jar.keys()].sort()).toEqual(["device", "remember", "session"]);
    expect(await notesOf(browser)).toMatchObject([{ userId: user.id, never: true }]);
    const db = await getDb();
    expect(await db.select().from(deviceNotes).where(eq(deviceNotes.deviceHash, browser.cookie("device")!))).toEqual([]);
  });

  it("a browser still holding the old offer cookies is told to drop them at its next sign-in", async () => {
    const user = await newUser("retired");
    const browser = new TestBrowser();
    browser.jar.set("passkey-device", "e30.mac");
    browser.jar.set("passkey-offer", "session:email.mac");
    await emailSignIn(browser, user);
    expect([...browser.jar.keys()].sort()).toEqual(["device", "remember", "session"]);
  });

  it("clearing cookies forgets the device: a new device id, asked again", async () => {
    const user = await newUser("notes");
    const browser = await signedInBrowser(user);
    expect(await browser.run(() => answerPasskeyOffer("never"))).toEqual({ ok: true });
    const before = browser.cookie("device");
    browser.jar.clear();
    await emailSignIn(browser, user);
    expect(browser.cookie("device")).not.toBe(before);
    expect(await offerIn(browser)).toBe("email");
  });

  it("a browser without a device cookie gets one when a note must be written, and the note holds", async () => {
    const user = await newUser("notes");
    const browser = await signedInBrowser(user);
    browser.jar.delete("device");
    expect(await browser.run(() => answerPasskeyOffer("later"))).toEqual({ ok: true });
    expect(browser.cookie("device")).toMatch(/^[\w-]{43}$/);
    expect(await notesOf(browser)).toHaveLength(1);
    await emailSignIn(browser, user);
    expect(await offerIn(browser)).toBeNull();
  });

  it(`a device keeps notes for its newest ${MAX_ACCOUNTS} accounts only`, async () => {
    const browser = new TestBrowser();
    const accounts: User[] = [];
    for (let i = 0; i < MAX_ACCOUNTS + 2; i++) {
      const user = await newUser("many");
      accounts.push(user);
      await emailSignIn(browser, user);
      expect(await browser.run(() => answerPasskeyOffer("never"))).toEqual({ ok: true });
    }
    expect((await notesOf(browser)).map((n) => n.userId).sort()).toEqual(accounts.slice(-MAX_ACCOUNTS).map((u) => u.id).sort());
    // The oldest two were forgotten, so they are asked again; the newest still are not.
    await emailSignIn(browser, accounts[0]!);
    expect(await offerIn(browser)).toBe("email");
    await emailSignIn(browser, accounts.at(-1)!);
    expect(await offerIn(browser)).toBeNull();
  });

  it("deleting the account deletes its notes on every device", async () => {
    const user = await newUser("gone");
    const [laptop, phone] = [await signedInBrowser(user), await signedInBrowser(user)];
    expect(await laptop.run(() => answerPasskeyOffer("never"))).toEqual({ ok: true });
    expect(await phone.run(() => answerPasskeyOffer("later"))).toEqual({ ok: true });
    const db = await getDb();
    const notesOfUser = () => db.select().from(deviceNotes).where(eq(deviceNotes.userId, user.id));
    expect(await notesOfUser()).toHaveLength(2);
    expect(await laptop.run(() => deleteAccount(`delete ${user.username}`))).toEqual({ ok: true });
    expect(await notesOfUser()).toEqual([]);
  });
});
