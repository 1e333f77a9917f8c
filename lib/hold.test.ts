import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { TestBrowser } from "@/test/browser";
import { addSoftPasskey, newUser, ORIGIN, passkeySignIn, signedInBrowser } from "@/test/factories";
import { recentActivity } from "./activity";
import { deleteAccount } from "./account";
import { addPasskeyOptions, addPasskeyVerify, removeAccountPasskey } from "./account-passkeys";
import { startEmailChange } from "./email-change";
import { HOLD_MS, holdForNewSession, REMOVED_PASSKEY_MEMORY_MS } from "./hold";
import { setPasskeyOnly } from "./passkey-only";
import { deletePasskey, listPasskeys } from "./passkeys";
import { confirmOptions, confirmWithPasskey } from "./reauth";
import { getCurrentSession } from "./session";
import { SoftCredential } from "@/test/soft-authenticator";

beforeAll(async () => void (await getDb()));

async function confirmWith(browser: TestBrowser, credential: SoftCredential) {
  const begun = await browser.run(confirmOptions);
  if (!begun.ok) throw new Error(begun.error);
  return browser.run(() => confirmWithPasskey(credential.authenticate(begun.options, ORIGIN)));
}

describe("the hold after an email sign-in", () => {
  it("an email sign-in on an account with passkeys can't make risky changes for 24 hours", async () => {
    const user = await newUser();
    const { passkey } = await addSoftPasskey(user);
    await addSoftPasskey(user);
    const browser = await signedInBrowser(user, { method: "email" });
    const { session } = (await browser.run(getCurrentSession))!;
    expect(Math.abs(session.heldUntil!.getTime() - session.createdAt.getTime() - HOLD_MS)).toBeLessThan(1000);

    const onHold = { ok: false, error: "on_hold" };
    expect(await browser.run(() => removeAccountPasskey(passkey.id))).toEqual(onHold);
    expect(await browser.run(() => startEmailChange(`new.${user.email}`))).toEqual(onHold);
    expect(await browser.run(() => deleteAccount(`delete ${user.username}`))).toEqual(onHold);
    expect(await browser.run(() => setPasskeyOnly(true))).toEqual(onHold);
    expect(await listPasskeys(user.id)).toHaveLength(2);
  });

  it("an account that lost its last passkey still holds email sign-ins for 7 days, however it was removed", async () => {
    const user = await newUser();
    const { passkey } = await addSoftPasskey(user);
    expect((await deletePasskey(user.id, passkey.id)).ok).toBe(true);
    expect(await listPasskeys(user.id)).toHaveLength(0);
    const browser = await signedInBrowser(user, { method: "email" });
    expect((await browser.run(getCurrentSession))!.session.heldUntil).not.toBeNull();
    const later = new Date(Date.now() + REMOVED_PASSKEY_MEMORY_MS + 60_000);
    expect(await holdForNewSession(user.id, { method: "email" }, later)).toBeNull();
  });

  it("no hold on an account without passkeys, nor after a passkey sign-in", async () => {
    const user = await newUser();
    const email = await signedInBrowser(user, { method: "email" });
    expect((await email.run(getCurrentSession))!.session.heldUntil).toBeNull();
    const { credential } = await addSoftPasskey(user);
    const browser = await passkeySignIn(new TestBrowser(), credential);
    expect((await browser.run(getCurrentSession))!.session.heldUntil).toBeNull();
  });

  it("a passkey the account already had lifts it; one the held session added neither lifts it nor signs in around it", async () => {
    const user = await newUser();
    const { passkey: older, credential: olderKey } = await addSoftPasskey(user);
    const browser = await signedInBrowser(user, { method: "email" });

    // The held session adds a passkey: it is held too, and a sign-in with it starts held.
    const options = await browser.run(() => addPasskeyOptions());
    if (!options.ok) throw new Error(options.error);
    const added = new SoftCredential(user.webauthnUserId);
    const saved = await browser.run(() => addPasskeyVerify(added.register(options.options, ORIGIN)));
    expect(saved.ok).toBe(true);
    const { session } = (await browser.run(getCurrentSession))!;
    const addedRow = (await listPasskeys(user.id)).find((p) => p.id !== older.id)!;
    expect(addedRow.heldUntil).toEqual(session.heldUntil);

    const elsewhere = await passkeySignIn(new TestBrowser(), added);
    expect((await elsewhere.run(getCurrentSession))!.session.heldUntil).toEqual(session.heldUntil);
    expect(await elsewhere.run(() => removeAccountPasskey(older.id))).toEqual({ ok: false, error: "on_hold" });

    // Confirming with the added passkey doesn't lift it; with the older one it does.
    expect(await confirmWith(browser, added)).toEqual({ ok: true, holdLifted: false });
    expect(await browser.run(() => removeAccountPasskey(older.id))).toEqual({ ok: false, error: "on_hold" });
    expect(await confirmWith(browser, olderKey)).toEqual({ ok: true, holdLifted: true });
    expect((await browser.run(getCurrentSession))!.session.heldUntil).toBeNull();
    expect((await listPasskeys(user.id)).find((p) => p.id === addedRow.id)!.heldUntil).toBeNull();
    expect((await recentActivity(user.id, 5)).map((e) => e.type)).toContain("hold_lifted");
    expect((await browser.run(() => removeAccountPasskey(addedRow.id))).ok).toBe(true);
  });
});
