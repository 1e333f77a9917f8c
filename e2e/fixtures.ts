import { test as base, expect, type BrowserContext, type CDPSession, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";

/** A credential as CDP reports it, private key included (so a test can put it back later). */
export type VirtualCredential = { credentialId: string; isResidentCredential: boolean; rpId?: string; privateKey: string; userHandle?: string; signCount: number };

export type VirtualAuthenticator = {
  id: string;
  credentials(): Promise<VirtualCredential[]>;
  /** Puts a credential (back) into the authenticator, as a passkey manager that ignores signals would keep it. */
  addCredential(credential: VirtualCredential): Promise<void>;
  /** false: the authenticator fails user verification, as when a person cancels the prompt. */
  setUserVerified(verified: boolean): Promise<void>;
  remove(): Promise<void>;
};

/**
 * A CDP virtual authenticator on this page: CTAP2, built-in ("internal"), resident keys and user
 * verification, answering prompts automatically, the way a laptop's platform authenticator would.
 */
export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    id: authenticatorId,
    credentials: async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials,
    addCredential: async (credential) => void (await cdp.send("WebAuthn.addCredential", { authenticatorId, credential })),
    setUserVerified: async (isUserVerified) => void (await cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified })),
    remove: async () => void (await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId })),
  };
}

export type Mail = { to: string; subject: string; text: string; code: string | null; links: string[] };

/** The newest dev-outbox message for an address, read the way a developer would: from /dev/outbox. */
export async function readNewestMail(context: BrowserContext, to: string, options: { after?: number } = {}): Promise<Mail> {
  const browser = context.browser();
  if (!browser) throw new Error("no browser");
  const reader = await browser.newContext({ baseURL: process.env.E2E_BASE_URL ?? "http://localhost:3100" });
  try {
    const page = await reader.newPage();
    let text = "";
    let subject = "";
    await expect(async () => {
      await page.goto("/dev/outbox");
      const articles = page.locator(`article[data-to="${to.toLowerCase()}"]`);
      const count = await articles.count();
      expect(count, `mail to ${to}`).toBeGreaterThan(options.after ?? 0);
      const newest = articles.first();
      subject = await newest.locator("h2").innerText();
      text = await newest.locator('[data-field="text"]').innerText();
    }).toPass({ timeout: 10_000 });
    return {
      to,
      subject,
      text,
      code: text.match(/\b(\d{6})\b/)?.[1] ?? null,
      links: [...text.matchAll(/https?:\/\/\S+/g)].map((m) => m[0]),
    };
  } finally {
    await reader.close();
  }
}

/** How many outbox messages an address has (to tell a new one from old ones). */
export async function countMail(context: BrowserContext, to: string): Promise<number> {
  const reader = await context.browser()!.newContext({ baseURL: process.env.E2E_BASE_URL ?? "http://localhost:3100" });
  try {
    const page = await reader.newPage();
    await page.goto("/dev/outbox");
    return await page.locator(`article[data-to="${to.toLowerCase()}"]`).count();
  } finally {
    await reader.close();
  }
}

/** A fresh identity per test, so tests never collide on the shared server. */
export function newPerson(prefix = "u") {
  const id = randomBytes(5).toString("hex");
  return { name: `Test ${prefix} ${id}`, username: `${prefix}_${id}`, email: `${prefix}.${id}@example.test` };
}

/** Every test's `page` has a virtual authenticator; other contexts and pages start without one. */
export const test = base.extend<{ authenticator: VirtualAuthenticator }>({
  authenticator: [
    async ({ page }, use) => {
      await use(await addVirtualAuthenticator(page));
    },
    { auto: true },
  ],
});

export { expect };
