import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { TestBrowser } from "@/test/browser";
import { addSoftPasskey, newUser, signedInBrowser } from "@/test/factories";
import { removeAccountPasskey } from "./account-passkeys";
import { requestSignInEmail } from "./email-sign-in";
import { listOutbox } from "./mail";
import { setPasskeyOnly } from "./passkey-only";
import { requestConfirmEmail } from "./reauth";

beforeAll(async () => void (await getDb()));

describe("passkey-only mode", () => {
  it("needs two passkeys, then answers an email sign-in as for an unknown name and sends nothing", async () => {
    const user = await newUser();
    const { passkey } = await addSoftPasskey(user);
    const browser = await signedInBrowser(user, { method: "passkey", passkeyId: passkey.id });
    expect(await browser.run(() => setPasskeyOnly(true))).toEqual({ ok: false, error: "passkey_only_needs_two" });
    const second = await addSoftPasskey(user);
    expect(await browser.run(() => setPasskeyOnly(true))).toEqual({ ok: true, on: true });

    const mailed = () => listOutbox().filter((m) => m.to === user.email && m.subject.endsWith("is your Passwordless code")).length;
    const before = mailed();
    const asker = new TestBrowser();
    expect(await asker.run(() => requestSignInEmail(user.username))).toEqual({ ok: true });
    expect(await new TestBrowser().run(() => requestSignInEmail(`nobody-${user.username}`))).toEqual({ ok: true });
    expect(mailed()).toBe(before);

    // No "confirm it's you" by email either, and the two passkeys stay two.
    expect(await browser.run(requestConfirmEmail)).toEqual({ ok: false, error: "passkey_only" });
    expect(await browser.run(() => removeAccountPasskey(second.passkey.id))).toEqual({ ok: false, error: "passkey_only_minimum" });

    expect(await browser.run(() => setPasskeyOnly(false))).toEqual({ ok: true, on: false });
    expect(await asker.run(() => requestSignInEmail(user.username))).toEqual({ ok: true });
    expect(mailed()).toBe(before + 1);
  });
});
