import { Resend } from "resend";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startMailRecorder, type MailRecorder, type RecordedMail } from "@/scripts/mail-recorder";
import { listOutbox, sendMail } from "./mail";

// The real Resend SDK against the local stand-in that `npm run test:services` reads mail from.
const API_KEY = "re_test_key";
let recorder: MailRecorder;
const config: { resend: { apiKey: string; baseUrl: string } | null; outbox: boolean; emailFrom: string } = {
  resend: { apiKey: API_KEY, baseUrl: "" },
  outbox: false,
  emailFrom: "Passwordless <auth@example.test>",
};
vi.mock("@/lib/env", () => ({ getConfig: () => config }));

beforeAll(async () => {
  recorder = await startMailRecorder({ apiKey: API_KEY });
  config.resend = { apiKey: API_KEY, baseUrl: recorder.url };
});
afterAll(() => recorder.close());

async function inbox(to: string): Promise<RecordedMail[]> {
  return (await fetch(`${recorder.url}/messages?to=${encodeURIComponent(to)}`)).json() as Promise<RecordedMail[]>;
}

describe("sendMail through Resend", () => {
  it("posts the message with the configured sender; the recorder lists it, newest first", async () => {
    await sendMail({ to: "Someone@Example.test", subject: "First", text: "one", html: "<p>one</p>" });
    await sendMail({ to: "someone@example.test", subject: "Second", text: "two", html: "<p>two</p>" });
    const [newest, older] = await inbox("someone@example.test");
    expect(newest).toMatchObject({ from: "Passwordless <auth@example.test>", to: ["someone@example.test"], subject: "Second", text: "two", html: "<p>two</p>" });
    expect(older?.subject).toBe("First");
    expect(await inbox("nobody@example.test")).toEqual([]);
  });

  it("answers a wrong key or a bad message the way Resend does, as an error the SDK returns", async () => {
    const wrongKey = await new Resend("re_wrong", { baseUrl: recorder.url }).emails.send({ from: "a@example.test", to: "b@example.test", subject: "s", text: "t" });
    expect(wrongKey.error).toMatchObject({ statusCode: 403, name: "invalid_api_key" });
    const noSubject = await new Resend(API_KEY, { baseUrl: recorder.url }).emails.send({ from: "a@example.test", to: "b@example.test", subject: "", text: "t" });
    expect(noSubject.error).toMatchObject({ statusCode: 422, name: "validation_error" });
  });
});

describe("without Resend", () => {
  it("with the outbox off (a production start without DEV_OUTBOX=1), drops mail and logs none of it", async () => {
    const saved = config.resend;
    config.resend = null;
    const logged: unknown[] = [];
    const spies = (["log", "info", "warn", "error"] as const).map((level) => vi.spyOn(console, level).mockImplementation((...args) => void logged.push(...args)));
    try {
      await sendMail({ to: "victim@example.test", subject: "Sign in", text: "code 123456 https://app/login/email?token=secret", html: "<p>123456</p>" });
    } finally {
      spies.forEach((spy) => spy.mockRestore());
      config.resend = saved;
    }
    expect(listOutbox().some((m) => m.to === "victim@example.test")).toBe(false);
    expect(JSON.stringify(logged)).not.toMatch(/123456|secret|victim/);
  });

  it("with the outbox on, keeps it for /dev/outbox", async () => {
    const saved = config.resend;
    config.resend = null;
    config.outbox = true;
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    try {
      await sendMail({ to: "dev@example.test", subject: "Hi", text: "t", html: "<p>t</p>" });
    } finally {
      info.mockRestore();
      config.resend = saved;
      config.outbox = false;
    }
    expect(listOutbox()[0]).toMatchObject({ to: "dev@example.test", subject: "Hi" });
  });
});
