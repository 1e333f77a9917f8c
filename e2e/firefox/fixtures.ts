import { test as base, expect } from "@playwright/test";
import type { BrowserContext, Page } from "puppeteer-core";
import { outbox, toMail, type Mail, type Message, type VirtualAuthenticator } from "../fixtures";
import { target } from "../target";
import { launchFirefox, type Firefox } from "./firefox";
import { AppPage, TIMEOUT_MS } from "./page";

/** A device: a browser context of its own (cookies, storage) in this worker's Firefox, and its page. */
export type Device = AppPage;

/** An address's mail count, and its newest message (waiting for one newer than the first `after`). */
export type Mailbox = { count(to: string): Promise<number>; newest(to: string, options?: { after?: number }): Promise<Mail> };

/**
 * Mail from /dev/outbox, fetched by Node and parsed by DOMParser in a blank tab: the growing outbox
 * is never laid out, painted or hydrated (that cost over a second of CPU per read).
 */
function outboxReader(firefox: Firefox): Mailbox & { close(): Promise<void> } {
  let parser: Promise<{ context: BrowserContext; page: Page }> | undefined;
  const openParser = async () => {
    const context = await firefox.browser.createBrowserContext();
    return { context, page: await context.newPage() };
  };
  const list = async (to: string): Promise<Message[]> => {
    const response = await fetch(new URL(outbox.path, target.baseURL), { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!response.ok) throw new Error(`${outbox.path} answered ${response.status}`);
    const html = await response.text();
    parser ??= openParser();
    const { page } = await parser;
    return page.evaluate(
      (html, messagesTo, subject, text) =>
        [...new DOMParser().parseFromString(html, "text/html").querySelectorAll(messagesTo)].map((article) => ({
          subject: article.querySelector(subject)?.textContent ?? "",
          text: article.querySelector(text)?.textContent ?? "",
        })),
      html,
      outbox.messagesTo(to),
      outbox.subject,
      outbox.text,
    );
  };
  return {
    count: async (to) => (await list(to)).length,
    newest: async (to, { after = 0 } = {}) => {
      let messages: Message[] = [];
      await expect(async () => {
        messages = await list(to);
        expect(messages.length, `mail to ${to}`).toBeGreaterThan(after);
      }).toPass({ timeout: TIMEOUT_MS });
      return toMail(to, messages[0]!);
    },
    close: async () => {
      if (parser) await (await parser).context.close();
    },
  };
}

type TestFixtures = {
  /** This test's first device, with `authenticator` serving it. */
  device: Device;
  /** Another device (a fresh context): no cookies, and whatever authenticators Firefox has. */
  openDevice: () => Promise<Device>;
  /** The virtual authenticator added for this test (removed after it). */
  authenticator: VirtualAuthenticator;
  /** More authenticators; with several, Firefox answers with the newest. Removed after the test. */
  addAuthenticator: () => Promise<VirtualAuthenticator>;
};

/**
 * One headless Firefox per worker (a launch costs seconds), a context per device, an authenticator
 * per test: a worker runs one test at a time, so the browser-wide authenticators serve one test.
 */
export const test = base.extend<TestFixtures, { firefox: Firefox; mail: Mailbox }>({
  firefox: [
    async ({}, provide) => {
      const firefox = await launchFirefox();
      try {
        await provide(firefox);
      } finally {
        await firefox.close();
      }
    },
    { scope: "worker", timeout: 60_000 },
  ],

  addAuthenticator: async ({ firefox }, provide) => {
    const added: VirtualAuthenticator[] = [];
    await provide(async () => {
      const authenticator = await firefox.addAuthenticator();
      added.push(authenticator);
      return authenticator;
    });
    for (const authenticator of added) await authenticator.remove();
  },

  // Added before anything else, as Chromium's suite has one on its page from the start.
  authenticator: [
    async ({ addAuthenticator }, provide) => {
      await provide(await addAuthenticator());
    },
    { auto: true },
  ],

  openDevice: async ({ firefox }, provide, testInfo) => {
    const opened: { context: BrowserContext; device: Device }[] = [];
    await provide(async () => {
      const context = await firefox.browser.createBrowserContext();
      const device = await AppPage.open(await context.newPage(), target.baseURL);
      opened.push({ context, device });
      return device;
    });
    if (testInfo.status !== testInfo.expectedStatus) {
      for (const [i, { device }] of opened.entries()) {
        const file = testInfo.outputPath(`device-${i + 1}.png`);
        const taken = await device.page.screenshot({ path: file }).then(
          () => true,
          () => false,
        );
        if (taken) await testInfo.attach(`device ${i + 1}`, { path: file, contentType: "image/png" });
      }
    }
    for (const { context } of opened) await context.close().catch(() => {});
  },

  device: async ({ openDevice }, provide) => {
    await provide(await openDevice());
  },

  // One reader per worker: a context and its page take a while to open on a busy machine.
  mail: [
    async ({ firefox }, provide) => {
      const reader = outboxReader(firefox);
      await provide(reader);
      await reader.close();
    },
    { scope: "worker" },
  ],
});

export { expect };
