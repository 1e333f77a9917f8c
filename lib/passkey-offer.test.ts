import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { passkeys, type User } from "@/db/schema";
import { TestBrowser } from "@/test/browser";
import { addSoftPasskey, newUser, ORIGIN, signedInBrowser } from "@/test/factories";
import type { SoftCredential } from "@/test/soft-authenticator";
import { answerPasskeyOffer, decideOffer, offerReason, passkeyFingerprint, passkeyUse, pendingPasskeyOffer, SNOOZE_MS } from "./passkey-offer";
import { deletePasskey, listPasskeys } from "./passkeys";
import { getCurrentSession } from "./session";
import { completeSignIn, passkeySignInOptions, redeemSignInGrant, verifyPasskeySignIn } from "./sign-in";

beforeAll(async () => {
  await getDb();
}, 60_000);

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
  const verified = await browser.run(() => verifyPasskeySignIn(response));
  if (!verified.ok) throw new Error(verified.error);
  expect(await browser.run(() => redeemSignInGrant(verified.grant))).toEqual({ ok: true });
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

  it("the offer belongs to its sign-in: a copied or forged cookie, or another session, gets none", async () => {
    const user = await newUser("bound");
    const browser = await signedInBrowser(user);
    expect(await offerIn(browser)).toBe("email");
    const other = await signedInBrowser(user, { method: "passkey" });
    expect(await offerIn(other)).toBeNull();
    other.jar.set("passkey-offer", browser.cookie("passkey-offer")!);
    expect(await offerIn(other)).toBeNull();
    // A device note that doesn't verify reads as nothing, never as an error.
    browser.jar.set("passkey-device", "garbage.mac");
    expect(await offerIn(browser)).toBe("email");
    const [value, mac] = browser.cookie("passkey-offer")!.split(".");
    browser.jar.set("passkey-offer", `${value!.replace("email", "security-key")}.${mac}`);
    expect(await offerIn(browser)).toBeNull();
  });

  it("answering needs a session", async () => {
    expect(await new TestBrowser().run(() => answerPasskeyOffer("never"))).toEqual({ ok: false, error: "not_signed_in" });
  });
});
