import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { TestBrowser } from "@/test/browser";
import { SoftCredential } from "@/test/soft-authenticator";
import { addSoftPasskey, newUser, ORIGIN } from "@/test/factories";
import { recentActivity } from "./activity";
import { signedCookie } from "./cookies";
import { getCurrentSession } from "./session";
import { forgetSignInName, passkeySignInOptions, rememberedUser, setTypedIdentifier, signInWithPasskey, typedIdentifier, unknownCredentialToSignal } from "./sign-in";

/** A browser that notes the cookies the server deleted (each a Set-Cookie header on the wire). */
class DeleteCountingBrowser extends TestBrowser {
  readonly deleted: string[] = [];

  override cookieStore() {
    const store = super.cookieStore();
    return {
      ...store,
      delete: (name: string | { name: string }) => {
        this.deleted.push(typeof name === "string" ? name : name.name);
        return store.delete(name);
      },
    };
  }
}

beforeAll(async () => {
  await getDb();
}, 60_000);

describe("passkey sign-in", () => {
  it("verify signs in at once and remembers the person; the same assertion signs in nobody else", async () => {
    const user = await newUser();
    const { credential, passkey } = await addSoftPasskey(user);
    const browser = new TestBrowser();
    const begun = await browser.run(() => passkeySignInOptions("discoverable"));
    if (!begun.ok) throw new Error(begun.error);
    expect(browser.jar.size).toBe(0);
    const response = credential.authenticate(begun.options, ORIGIN);
    expect(await browser.run(() => signInWithPasskey(response))).toEqual({ ok: true });
    const current = await browser.run(getCurrentSession);
    expect(current).toMatchObject({ user: { id: user.id }, session: { method: "passkey", passkeyId: passkey.id, userAgent: "Chrome on Linux" } });
    expect((await browser.run(rememberedUser))?.id).toBe(user.id);
    expect((await recentActivity(user.id, 1))[0]).toMatchObject({ type: "signed_in", detail: { method: "passkey", device: "Chrome on Linux" } });

    // Once: the same assertion (another browser, a replay) signs nobody in.
    const thief = new TestBrowser();
    expect(await thief.run(() => signInWithPasskey(response))).toEqual({ ok: false, error: "challenge_expired" });
    expect(await thief.run(() => signInWithPasskey("garbage"))).toEqual({ ok: false, error: "signin_failed" });
    expect(await thief.run(getCurrentSession)).toBeNull();
  });

  it("an unknown passkey is named for the Signal API, and the page signals only a credential this server doesn't know", async () => {
    const user = await newUser();
    const { credential } = await addSoftPasskey(user);
    const stranger = new SoftCredential("AAAA");
    const browser = new TestBrowser();
    const begun = await browser.run(() => passkeySignInOptions("discoverable"));
    if (!begun.ok) throw new Error(begun.error);
    expect(await browser.run(() => signInWithPasskey(stranger.authenticate(begun.options, ORIGIN)))).toEqual({ ok: false, error: "unknown_passkey", unknownCredentialId: stranger.idBase64url });
    expect(await browser.run(getCurrentSession)).toBeNull();

    expect(await unknownCredentialToSignal(stranger.idBase64url)).toEqual({ rpID: "localhost", credentialID: stranger.idBase64url });
    // A crafted address naming a passkey that works, or junk, signals nothing.
    expect(await unknownCredentialToSignal(credential.idBase64url)).toBeNull();
    for (const junk of [undefined, "", "not base64url!", "a".repeat(2000)]) expect(await unknownCredentialToSignal(junk)).toBeNull();
  });

  it("a sign-in forgets the name typed at step 1, and clears nothing a browser doesn't have", async () => {
    const user = await newUser();
    const { credential } = await addSoftPasskey(user);
    const signIn = async (browser: TestBrowser) => {
      const begun = await browser.run(() => passkeySignInOptions("discoverable"));
      if (!begun.ok) throw new Error(begun.error);
      expect(await browser.run(() => signInWithPasskey(credential.authenticate(begun.options, ORIGIN)))).toEqual({ ok: true });
    };
    const typed = new DeleteCountingBrowser();
    await typed.run(() => setTypedIdentifier(user.username));
    await signIn(typed);
    expect(await typed.run(typedIdentifier)).toBeUndefined();
    expect(typed.deleted).toEqual(["login"]);

    const untyped = new DeleteCountingBrowser();
    await signIn(untyped);
    expect(untyped.deleted).toEqual([]);
  });

  it("a new sign-in replaces the browser's previous session (no fixation)", async () => {
    const user = await newUser();
    const { credential } = await addSoftPasskey(user);
    const browser = new TestBrowser();
    const signIn = async () => {
      const begun = await browser.run(() => passkeySignInOptions("discoverable"));
      if (!begun.ok) throw new Error(begun.error);
      expect(await browser.run(() => signInWithPasskey(credential.authenticate(begun.options, ORIGIN)))).toEqual({ ok: true });
      return (await browser.run(getCurrentSession))!.session.id;
    };
    const first = await signIn();
    const second = await signIn();
    expect(second).not.toBe(first);
  });

  it("identified options: the remembered person first, else what was typed; an unknown name gets decoys", async () => {
    const user = await newUser();
    const { credential } = await addSoftPasskey(user);
    const browser = new TestBrowser();
    expect(await browser.run(() => passkeySignInOptions("identified"))).toEqual({ ok: false, error: "challenge_expired" });
    await browser.run(() => setTypedIdentifier(user.username.toUpperCase()));
    expect(await browser.run(typedIdentifier)).toBe(user.username.toUpperCase());
    const typed = await browser.run(() => passkeySignInOptions("identified"));
    expect(typed.ok && typed.options.allowCredentials?.map((c) => c.id)).toEqual([credential.idBase64url]);

    await browser.run(() => setTypedIdentifier("nobody-here"));
    const unknown = await browser.run(() => passkeySignInOptions("identified"));
    expect(unknown.ok && unknown.options.allowCredentials?.length).toBeGreaterThan(0);
    expect(unknown.ok && unknown.options.allowCredentials?.[0]?.id).not.toBe(credential.idBase64url);

    // Remembered: the username's list, whatever was typed.
    await browser.run(() => setTypedIdentifier(user.email));
    await browser.run(() => signedCookie("remember", 60).set(user.id));
    const remembered = await browser.run(() => passkeySignInOptions("identified"));
    expect(remembered.ok && remembered.options.allowCredentials?.map((c) => c.id)).toEqual([credential.idBase64url]);

    await browser.run(forgetSignInName);
    expect(await browser.run(typedIdentifier)).toBeUndefined();
  });

  it("identified options for a typed email: no list, the same for every email, so none can be matched to a username", async () => {
    const user = await newUser();
    await addSoftPasskey(user);
    const optionsFor = async (identifier: string) => {
      const browser = new TestBrowser();
      await browser.run(() => setTypedIdentifier(identifier));
      const begun = await browser.run(() => passkeySignInOptions("identified"));
      if (!begun.ok) throw new Error(begun.error);
      return { ...begun.options, challenge: begun.options.challenge.length };
    };
    const byName = await optionsFor(user.username);
    const byEmail = await optionsFor(user.email.toUpperCase());
    expect(byEmail.allowCredentials).toEqual([]);
    expect(byEmail).not.toEqual(byName);
    expect(await optionsFor(`nobody.${user.email}`)).toStrictEqual(byEmail);
    expect(await optionsFor("someone@elsewhere.example")).toStrictEqual(byEmail);
  });

  it("a typed email signs in with that account's passkey (discoverable), and only with it", async () => {
    const user = await newUser();
    const other = await newUser();
    const { credential } = await addSoftPasskey(user);
    const { credential: othersCredential } = await addSoftPasskey(other);
    const attempt = async (typed: string, key: typeof credential) => {
      const browser = new TestBrowser();
      await browser.run(() => setTypedIdentifier(typed));
      const begun = await browser.run(() => passkeySignInOptions("identified"));
      if (!begun.ok) throw new Error(begun.error);
      return { browser, verified: await browser.run(() => signInWithPasskey(key.authenticate(begun.options, ORIGIN))) };
    };
    expect((await attempt(user.email, othersCredential)).verified).toEqual({ ok: false, error: "signin_failed" });
    expect((await attempt(`nobody.${user.email}`, credential)).verified).toEqual({ ok: false, error: "signin_failed" });

    const { browser, verified } = await attempt(user.email, credential);
    expect(verified).toEqual({ ok: true });
    expect(await browser.run(getCurrentSession)).toMatchObject({ user: { id: user.id }, session: { method: "passkey" } });
    // Next time this browser is greeted by username.
    expect((await browser.run(rememberedUser))?.id).toBe(user.id);
  });

  it("a forged or tampered remembered-user cookie reads as nobody", async () => {
    const user = await newUser();
    const browser = new TestBrowser();
    browser.jar.set("remember", `${user.id}.forged`);
    expect(await browser.run(rememberedUser)).toBeNull();
    browser.jar.set("remember", user.id);
    expect(await browser.run(rememberedUser)).toBeNull();
  });
});
