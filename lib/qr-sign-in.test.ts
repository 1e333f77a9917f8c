import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db/client";
import type { User } from "@/db/schema";
import { TestBrowser } from "@/test/browser";
import { addSoftPasskey, mailSince, newUser, ORIGIN, signedInBrowser } from "@/test/factories";
import type { SoftCredential } from "@/test/soft-authenticator";
import { vouchedBy } from "./hold";
import { kv } from "./kv";
import { listOutbox } from "./mail";
import { LIMITS } from "./rate-limit";
import { approveQrSignIn, claimQrSignIn, qrApprovalOptions, qrApprovalView, qrSignInStatus, QR_TTL_SECONDS, refuseQrSignIn, startQrSignIn } from "./qr-sign-in";
import { getCurrentSession } from "./session";
import { setTypedIdentifier } from "./sign-in";

beforeAll(async () => void (await getDb()));

afterEach(() => {
  vi.useRealTimers();
});

/** A signed-out browser showing a QR code; `name` typed with it, if given. */
async function asker(name?: string) {
  const browser = new TestBrowser("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36");
  const started = await browser.run(() => startQrSignIn(name));
  if (!started.ok) throw new Error(started.error);
  return { browser, code: started.url.split("/q/")[1]!, ...started };
}

/** A phone signed in to `user` with a passkey it holds. */
async function phone(user: User): Promise<{ browser: TestBrowser; credential: SoftCredential; passkeyId: string }> {
  const { passkey, credential } = await addSoftPasskey(user);
  return { browser: await signedInBrowser(user, { method: "passkey", passkeyId: passkey.id }), credential, passkeyId: passkey.id };
}

/** The phone's approval: options, the passkey's assertion (UV on unless said), verify. */
async function approve(p: { browser: TestBrowser; credential: SoftCredential }, code: string, uv = true) {
  const begun = await p.browser.run(() => qrApprovalOptions(code));
  if (!begun.ok) return begun;
  return p.browser.run(() => approveQrSignIn(code, p.credential.authenticate(begun.options, ORIGIN, { flags: { uv } })));
}

/** The asker's tab after an approval: claim, which signs it in. */
const collect = (browser: TestBrowser) => browser.run(claimQrSignIn);

describe("sign in with your phone (QR)", () => {
  it("shows a QR code of a short URL; a passkey with user verification on a signed-in phone signs the asker in as that passkey would", async () => {
    const user = await newUser();
    const p = await phone(user);
    const { browser, url, svg, code } = await asker();
    expect(url).toBe(`http://localhost:3000/q/${code}`);
    expect(svg).toMatch(/^<svg[^>]*viewBox/);
    expect(await browser.run(qrSignInStatus)).toBe("waiting");
    expect(await p.browser.run(() => qrApprovalView(code))).toMatchObject({ state: "ready", requestedBy: "Chrome on Windows" });

    const newestBefore = listOutbox()[0]?.id;
    expect(await approve(p, code)).toEqual({ ok: true });
    expect(await browser.run(qrSignInStatus)).toBe("approved");
    expect(await collect(browser)).toEqual({ ok: true });
    const current = await browser.run(getCurrentSession);
    expect(current).toMatchObject({ user: { id: user.id }, session: { method: "passkey", passkeyId: p.passkeyId, heldUntil: null } });
    // Vouched for by the phone's passkey, as a passkey sign-in is.
    expect(vouchedBy(current!.session, new Set([p.passkeyId]))).toBe(p.passkeyId);
    // A browser the account hasn't used: the account's alert rules apply.
    expect(mailSince(newestBefore).some((m) => m.to === user.email)).toBe(true);
    expect(browser.cookie("pending-qr")).toBeUndefined();
  });

  it("refuses a UV-less assertion and leaves the request waiting, so a retry with UV works", async () => {
    const user = await newUser();
    const p = await phone(user);
    const { browser, code } = await asker();
    expect(await approve(p, code, false)).toEqual({ ok: false, error: "signin_failed" });
    expect(await browser.run(qrSignInStatus)).toBe("waiting");
    expect(await browser.run(claimQrSignIn)).toEqual({ ok: false, error: "sign_in_request_expired" });
    expect(await approve(p, code)).toEqual({ ok: true });
  });

  it("a phone signed in to another account learns only 'not this account', and can't approve", async () => {
    const owner = await newUser();
    const other = await phone(await newUser());
    const { browser, code } = await asker(owner.username);
    expect(await other.browser.run(() => qrApprovalView(code))).toEqual({ state: "other-account" });
    expect(await approve(other, code)).toEqual({ ok: false, error: "not_this_account" });
    expect(await browser.run(qrSignInStatus)).toBe("waiting");
    // The same through step 2's remembered or typed name.
    const typed = new TestBrowser();
    await typed.run(() => setTypedIdentifier(owner.email));
    const started = await typed.run(() => startQrSignIn());
    if (!started.ok) throw new Error(started.error);
    expect(await other.browser.run(() => qrApprovalView(started.url.split("/q/")[1]!))).toEqual({ state: "other-account" });
  });

  it("a name that matches no account can't be approved by anyone, and the asker can't tell", async () => {
    const p = await phone(await newUser());
    const { browser, code } = await asker("nobody-at-all");
    expect(await approve(p, code)).toEqual({ ok: false, error: "not_this_account" });
    expect(await browser.run(qrSignInStatus)).toBe("waiting");
  });

  it("the owner's 'Not me' ends the request: the asker is told, and nothing can approve or collect it after", async () => {
    const owner = await newUser();
    const p = await phone(owner);
    const other = await phone(await newUser());
    const { browser, code } = await asker(owner.username);
    // Only the account asked for may turn it down; a signed-out visitor can't either.
    expect(await other.browser.run(() => refuseQrSignIn(code))).toEqual({ ok: false, error: "not_this_account" });
    expect(await new TestBrowser().run(() => refuseQrSignIn(code))).toEqual({ ok: false, error: "not_signed_in" });
    expect(await browser.run(qrSignInStatus)).toBe("waiting");

    expect(await p.browser.run(() => refuseQrSignIn(code))).toEqual({ ok: true });
    expect(await browser.run(qrSignInStatus)).toBe("refused");
    expect(await approve(p, code)).toEqual({ ok: false, error: "sign_in_request_expired" });
    expect(await browser.run(claimQrSignIn)).toEqual({ ok: false, error: "sign_in_request_expired" });
    expect(await p.browser.run(() => refuseQrSignIn(code))).toEqual({ ok: false, error: "sign_in_request_expired" });

    // Once approved, it can't be turned down after the fact.
    const approved = await asker();
    expect(await approve(p, approved.code)).toEqual({ ok: true });
    expect(await p.browser.run(() => refuseQrSignIn(approved.code))).toEqual({ ok: false, error: "sign_in_request_expired" });
    expect(await collect(approved.browser)).toEqual({ ok: true });
  });

  it("refuses an expired code and a reused one", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const user = await newUser();
    const p = await phone(user);
    const late = await asker();
    vi.setSystemTime(Date.now() + (QR_TTL_SECONDS + 1) * 1000);
    expect(await p.browser.run(() => qrApprovalView(late.code))).toEqual({ state: "expired" });
    expect(await approve(p, late.code)).toEqual({ ok: false, error: "sign_in_request_expired" });
    expect(await late.browser.run(qrSignInStatus)).toBe("expired");

    const used = await asker();
    expect(await approve(p, used.code)).toEqual({ ok: true });
    expect(await approve(p, used.code)).toEqual({ ok: false, error: "sign_in_request_expired" });
    expect(await collect(used.browser)).toEqual({ ok: true });
    expect(await collect(used.browser)).toEqual({ ok: false, error: "sign_in_request_expired" });
    expect(await p.browser.run(() => qrApprovalView(used.code))).toEqual({ state: "expired" });
  });

  it("a signed-out visitor of the short URL learns nothing and changes nothing", async () => {
    const { browser, code } = await asker();
    const store = kv();
    const writes = [vi.spyOn(store, "set"), vi.spyOn(store, "increment"), vi.spyOn(store, "take"), vi.spyOn(store, "del")];
    expect(await new TestBrowser().run(() => qrApprovalView(code))).toEqual({ state: "signed-out" });
    for (const spy of writes) expect(spy).not.toHaveBeenCalled();
    for (const spy of writes) spy.mockRestore();
    expect(await new TestBrowser().run(() => qrApprovalOptions(code))).toEqual({ ok: false, error: "not_signed_in" });
    expect(await browser.run(qrSignInStatus)).toBe("waiting");
  });

  it("rate-limits QR codes per client and approvals per account", async () => {
    const browser = new TestBrowser();
    for (let i = 0; i < LIMITS.qrPerClient.limit; i++) expect((await browser.run(() => startQrSignIn())).ok).toBe(true);
    expect(await browser.run(() => startQrSignIn())).toEqual({ ok: false, error: "rate_limited" });

    const p = await phone(await newUser());
    const { code } = await asker();
    // Fresh addresses each time: the account's own limit still applies.
    for (let i = 0; i < LIMITS.qrApprovalPerAccount.limit; i++) {
      const b = new TestBrowser(undefined, `10.9.${i}.1`);
      b.jar.set("session", p.browser.cookie("session")!);
      expect((await b.run(() => qrApprovalOptions(code))).ok).toBe(true);
    }
    expect(await p.browser.run(() => qrApprovalOptions(code))).toEqual({ ok: false, error: "rate_limited" });
  });
});
