import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db/client";
import { TestBrowser } from "@/test/browser";
import { askSignInEmail, newUser } from "@/test/factories";
import {
  approvalChoices,
  approvalView,
  approveSignInEmail,
  claimSignInApproval,
  EMAIL_SIGNIN_TTL_SECONDS,
  finishSignInEmail,
  pendingSignInEmail,
  signInApprovalStatus,
  signInLinkState,
} from "./email-sign-in";
import { kv } from "./kv";
import { getCurrentSession } from "./session";

/** Asks in a browser of its own (the asker); also the number its tab shows. */
async function ask(identifier: string) {
  const asked = await askSignInEmail(identifier);
  return { ...asked, asker: asked.browser, number: (await asked.browser.run(pendingSignInEmail))!.number! };
}

/** Everything the store holds for the asker's request, to show a read changed nothing. */
async function snapshot(asker: TestBrowser) {
  const ids = [...asker.jar.values()];
  return Promise.all(ids.flatMap((id) => [`emailsignin:${id}`, `emailsignin:${id}:attempts`].map((key) => kv().get(key))));
}

beforeAll(async () => void (await getDb()));

afterEach(() => {
  vi.useRealTimers();
});

describe("approving an email sign-in from another device", () => {
  it("the right number signs in the asking browser, not the approving one, and counts as an email sign-in", async () => {
    const user = await newUser();
    const { asker, number, secret, request } = await ask(user.username);
    expect(number).toBeGreaterThanOrEqual(10);
    expect(number).toBeLessThan(100);
    expect(request).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const phone = new TestBrowser();
    const view = await phone.run(() => approvalView(request));
    expect(view).toMatchObject({ state: "ready", requestedBy: "Chrome on Linux" });
    expect(view.state === "ready" && view.choices).toHaveLength(3);
    expect(view.state === "ready" && view.choices).toContain(number);
    expect(await asker.run(signInApprovalStatus)).toBe("waiting");

    expect(await phone.run(() => approveSignInEmail(request, secret, number))).toEqual({ ok: true, outcome: "approved" });
    expect(await phone.run(getCurrentSession)).toBeNull();
    expect(await asker.run(signInApprovalStatus)).toBe("approved");
    expect(await asker.run(claimSignInApproval)).toEqual({ ok: true });
    expect(await asker.run(getCurrentSession)).toMatchObject({ user: { id: user.id }, session: { method: "email" } });
    // Collected once; the link reads as used everywhere.
    expect(await asker.run(claimSignInApproval)).toMatchObject({ ok: false });
    expect(await phone.run(() => approvalView(request))).toEqual({ state: "approved" });
  });

  it("a wrong number ends the request: the asking tab hears so, and neither its code nor the link works any more", async () => {
    const user = await newUser();
    const { asker, number, code, secret, request } = await ask(user.email);
    const phone = new TestBrowser();
    const wrong = approvalChoices(request, number).find((n) => n !== number)!;
    expect(await phone.run(() => approveSignInEmail(request, secret, wrong))).toEqual({ ok: true, outcome: "refused" });
    expect(await asker.run(signInApprovalStatus)).toBe("refused");
    expect(await asker.run(claimSignInApproval)).toMatchObject({ ok: false });
    expect(await asker.run(() => finishSignInEmail("code", code))).toMatchObject({ ok: false, error: "email_signin_expired" });
    expect(await asker.run(getCurrentSession)).toBeNull();
    expect(await phone.run(() => approvalView(request))).toEqual({ state: "refused" });
    // Choosing again (the right number now) changes nothing.
    expect(await phone.run(() => approveSignInEmail(request, secret, number))).toEqual({ ok: false, error: "sign_in_request_expired" });
    expect(await asker.run(signInApprovalStatus)).toBe("refused");
  });

  it("a replayed approval is refused, and only the link's secret authorises one", async () => {
    const user = await newUser();
    const { asker, number, secret, request } = await ask(user.username);
    const phone = new TestBrowser();
    // The request's code alone (say, from a leaked URL without its token) approves nothing.
    expect(await phone.run(() => approveSignInEmail(request, "A".repeat(43), number))).toMatchObject({ ok: false, error: "link_invalid" });
    expect(await asker.run(signInApprovalStatus)).toBe("waiting");
    expect(await phone.run(() => approveSignInEmail(request, secret, number))).toEqual({ ok: true, outcome: "approved" });
    expect(await new TestBrowser().run(() => approveSignInEmail(request, secret, number))).toEqual({ ok: false, error: "sign_in_request_expired" });
    expect(await asker.run(claimSignInApproval)).toEqual({ ok: true });
  });

  it("opening the link elsewhere (a scanner's GET) changes nothing", async () => {
    const user = await newUser();
    const { asker, number, secret, request } = await ask(user.username);
    const before = await snapshot(asker);
    const scanner = new TestBrowser();
    for (let i = 0; i < 3; i++) expect((await scanner.run(() => approvalView(request))).state).toBe("ready");
    expect(await snapshot(asker)).toEqual(before);
    expect(await asker.run(signInApprovalStatus)).toBe("waiting");
    expect(await scanner.run(getCurrentSession)).toBeNull();
    // Opened in the asking browser, the link is today's link.
    expect(await asker.run(signInLinkState)).toEqual({ state: "ready", typed: user.username });
    expect(await new TestBrowser().run(() => approveSignInEmail(request, secret, number))).toEqual({ ok: true, outcome: "approved" });
  });

  it("an expired request says so and can't be approved", async () => {
    const user = await newUser();
    const { asker, number, secret, request } = await ask(user.username);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + EMAIL_SIGNIN_TTL_SECONDS * 1000 + 1000);
    const phone = new TestBrowser();
    expect(await phone.run(() => approvalView(request))).toEqual({ state: "expired" });
    expect(await phone.run(() => approveSignInEmail(request, secret, number))).toEqual({ ok: false, error: "sign_in_request_expired" });
    expect(await asker.run(signInApprovalStatus)).toBe("expired");
  });

  it("an unknown name's request looks the same to the asking tab: a number, waiting", async () => {
    const { asker, mail, number } = await ask("nobody-here@example.test");
    expect(mail).toBeUndefined();
    expect(number).toBeGreaterThanOrEqual(10);
    expect(await asker.run(signInApprovalStatus)).toBe("waiting");
  });

  it("offers three distinct numbers, the same on every GET", () => {
    const code = "B".repeat(43);
    expect(approvalChoices(code, 42)).toEqual(approvalChoices(code, 42));
    expect(new Set(approvalChoices(code, 42)).size).toBe(3);
    expect(approvalChoices(code, 42)).toContain(42);
  });
});
