import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import { addSoftPasskey, newUser, ORIGIN, signedInBrowser } from "@/test/factories";
import { listOutbox } from "./mail";
import { confirmLinkState, confirmOptions, confirmWithEmail, confirmWithPasskey, pendingConfirmEmail, requestConfirmEmail, resendConfirmEmail } from "./reauth";
import { getCurrentSession, isFresh } from "./session";

const STALE_MS = 11 * 60 * 1000;

beforeAll(async () => void (await getDb()));

async function staleBrowser(userId: Parameters<typeof signedInBrowser>[0]) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() - STALE_MS);
  const browser = await signedInBrowser(userId);
  vi.useRealTimers();
  return browser;
}

const fresh = async (browser: Awaited<ReturnType<typeof signedInBrowser>>) => isFresh((await browser.run(getCurrentSession))!.session);

describe("confirm it's you", () => {
  it("with one of the account's own passkeys, not another account's", async () => {
    const user = await newUser();
    const { credential } = await addSoftPasskey(user);
    const stranger = await newUser();
    const { credential: strangers } = await addSoftPasskey(stranger);
    const browser = await staleBrowser(user);
    expect(await fresh(browser)).toBe(false);

    const options = async () => {
      const begun = await browser.run(confirmOptions);
      if (!begun.ok) throw new Error(begun.error);
      // Only this account's passkeys are offered.
      expect(begun.options.allowCredentials?.map((c) => c.id)).toEqual([credential.idBase64url]);
      return begun.options;
    };
    const strangersResponse = strangers.authenticate(await options(), ORIGIN);
    expect(await browser.run(() => confirmWithPasskey(strangersResponse))).toEqual({ ok: false, error: "signin_failed" });
    const ownResponse = credential.authenticate(await options(), ORIGIN);
    expect(await browser.run(() => confirmWithPasskey(ownResponse))).toEqual({ ok: true, holdLifted: false });
    expect(await fresh(browser)).toBe(true);
  });

  it("with its own email: a code or link, only in this browser, only to the account's current address", async () => {
    const user = await newUser();
    const browser = await staleBrowser(user);
    expect(await browser.run(requestConfirmEmail)).toEqual({ ok: true });
    const mail = listOutbox().find((m) => m.to === user.email)!;
    expect(mail.subject).toMatch(/^(\d{6}) is your Passwordless code$/);
    expect(mail.text.trimEnd().split("\n").at(-1)).toBe(`@localhost #${mail.subject.slice(0, 6)}`);
    expect(mail.html).toContain("Confirm it&#39;s you on Passwordless");
    expect(mail.text).toContain("http://localhost:3000/account/confirm/email?token=");
    expect(await browser.run(() => pendingConfirmEmail(user.id))).toMatchObject({ email: user.email });
    expect(await browser.run(() => confirmLinkState(user.id))).toBe("ready");
    const code = mail.text.match(/\b(\d{6})\b/)![1]!;

    const other = await signedInBrowser(user);
    expect(await other.run(() => confirmWithEmail("code", code))).toMatchObject({ ok: false, error: "reauth_expired" });
    expect(await other.run(() => confirmLinkState(user.id))).toBe("elsewhere");

    expect(await browser.run(() => confirmWithEmail("code", code))).toEqual({ ok: true });
    expect(await fresh(browser)).toBe(true);
    expect(await browser.run(() => confirmLinkState(user.id))).toBe("used");
  });

  it("10 parallel presses of the right code confirm once; none is told 'too many wrong codes'", async () => {
    const user = await newUser();
    const browser = await staleBrowser(user);
    await browser.run(requestConfirmEmail);
    const code = listOutbox().find((m) => m.to === user.email)!.text.match(/\b(\d{6})\b/)![1]!;
    const results = await browser.run(() => Promise.all(Array.from({ length: 10 }, () => confirmWithEmail("code", code))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results) if (!r.ok) expect(["reauth_expired", "still_checking"]).toContain(r.error);
    expect(await fresh(browser)).toBe(true);
    expect(await browser.run(() => confirmLinkState(user.id))).toBe("used");
  });

  it("a code sent before the address changed no longer works", async () => {
    const user = await newUser();
    const browser = await staleBrowser(user);
    await browser.run(requestConfirmEmail);
    const code = listOutbox().find((m) => m.to === user.email)!.text.match(/\b(\d{6})\b/)![1]!;
    const db = await getDb();
    await db.update(users).set({ email: `moved.${user.email}` }).where(eq(users.id, user.id));
    expect(await browser.run(() => confirmWithEmail("code", code))).toEqual({ ok: false, error: "reauth_expired" });
  });

  it("'Send a new code' adds a code: two resends later the first code still confirms, once", async () => {
    const user = await newUser();
    const browser = await staleBrowser(user);
    expect(await browser.run(requestConfirmEmail)).toEqual({ ok: true });
    const codeIn = () => listOutbox().find((m) => m.to === user.email)!.text.match(/\b(\d{6})\b/)![1]!;
    const first = codeIn();
    const request = browser.cookie("reauth");
    for (let i = 0; i < 2; i++) expect(await browser.run(resendConfirmEmail)).toEqual({ ok: true });
    expect(browser.cookie("reauth")).toBe(request);
    const third = codeIn();
    expect(await browser.run(() => confirmWithEmail("code", first))).toEqual({ ok: true });
    expect(await fresh(browser)).toBe(true);
    expect((await browser.run(() => confirmWithEmail("code", third))).ok).toBe(false);
  });
});
