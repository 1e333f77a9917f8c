import { describe, expect, it } from "vitest";
import { TestBrowser } from "@/test/browser";
import { defineEmailedFlow } from "./emailed-flow";

type Data = { userId: string; note: string };

const copy = { title: "t", description: "d", action: { href: "/", label: "l" } };
const page = (minutes: number) => ({ used: copy, ended: copy, elsewhere: copy, moved_on: copy, signed_in: copy, incomplete: copy, expired: { ...copy, description: `${minutes} minutes` } });
const flow = defineEmailedFlow<Data>({
  namespace: "flowtest",
  ttlSeconds: 5 * 60,
  cookie: "flow-test",
  errors: { expired: "reauth_expired", badLink: "link_invalid" },
  linkPath: "/somewhere/email",
  owner: (data) => data.userId,
  codeEnds: ["email_taken"],
  page,
});

/** Issues a proof for u1 and keeps it in `browser`, as a use case does. */
const issueKept = (browser: TestBrowser) =>
  browser.run(async () => {
    const issued = await flow.issue({ userId: "u1", note: "a" }, { account: "user:u1" });
    await flow.keep(issued.id);
    return issued;
  });

describe("defineEmailedFlow", () => {
  it("issues a proof kept in this browser, mails a link from APP_URL, and finishes once by its link", async () => {
    const browser = new TestBrowser();
    const mailed = await issueKept(browser);
    expect(browser.cookie("flow-test")).toBe(mailed.id);
    expect(mailed.minutes).toBe(5);
    const token = new URL(mailed.link).searchParams.get("token")!;
    expect(mailed.link.startsWith("http://localhost:3000/somewhere/email?token=")).toBe(true);
    expect(await browser.run(() => flow.linkState("u1"))).toEqual({ state: "ready", data: { userId: "u1", note: "a" } });
    expect(await browser.run(() => flow.finish("link", token))).toEqual({ ok: true, data: { userId: "u1", note: "a" } });
    expect(await browser.run(() => flow.linkState("u1"))).toEqual({ state: "used", data: null });
    expect(await browser.run(() => flow.finish("link", token))).toEqual({ ok: false, error: "reauth_expired" });
  });

  it("reads another owner's proof, or none in this browser, as asked for elsewhere", async () => {
    const browser = new TestBrowser();
    await issueKept(browser);
    expect(await browser.run(() => flow.linkState("u2"))).toEqual({ state: "elsewhere", data: null });
    expect(await browser.run(() => flow.pending("u2"))).toBeNull();
    expect(await new TestBrowser().run(() => flow.linkState("u1"))).toEqual({ state: "elsewhere", data: null });
  });

  it("resend adds a code while the first still works; drop withdraws the proof", async () => {
    const browser = new TestBrowser();
    const first = await issueKept(browser);
    const second = await browser.run(() => flow.resend((data) => ({ ...data, note: "b" })));
    expect(second?.code).toMatch(/^\d{6}$/);
    expect(await browser.run(() => flow.pending())).toEqual({ userId: "u1", note: "b" });
    await browser.run(() => flow.drop());
    expect(await browser.run(() => flow.finish("code", first.code))).toEqual({ ok: false, error: "reauth_expired" });
  });

  it("says when a failure ends the flow: a wrong link with tries left may be pressed again, an expired proof may not", () => {
    expect(flow.failureState({ ok: false, error: "link_invalid", attemptsLeft: 3 }, "link").restart).toBe(false);
    expect(flow.failureState({ ok: false, error: "link_invalid" }, "link").restart).toBe(true);
    expect(flow.failureState({ ok: false, error: "reauth_expired" }, "link").restart).toBe(true);
    expect(flow.failureState({ ok: false, error: "wrong_code", attemptsLeft: 2 }, "code")).toEqual({ failure: "wrong_code", error: expect.any(String), restart: false });
    expect(flow.failureState({ ok: false, error: "too_many_attempts" }, "code").restart).toBe(true);
    expect(flow.failureState({ ok: false, error: "email_taken" }, "code").restart).toBe(true);
    // Where a wrong link reads as expired, no wrong link is worth pressing again.
    const strict = defineEmailedFlow<Data>({ namespace: "flowtest2", ttlSeconds: 60, cookie: "flow-test2", errors: { expired: "signup_expired", badLink: "signup_expired" }, linkPath: "/x", page });
    expect(strict.failureState({ ok: false, error: "signup_expired", attemptsLeft: 3 }, "link").restart).toBe(true);
  });

  it("derives its link page's copy from its lifetime", () => {
    expect(flow.pageCopy("expired").description).toBe("5 minutes");
  });
});
