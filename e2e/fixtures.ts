import { test as base, expect, type BrowserContext, type CDPSession, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import type { RecordedMail } from "../scripts/mail-recorder";
import { target } from "./target";

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
 * A CDP virtual authenticator on this page: CTAP2, resident keys and user verification, answering
 * prompts automatically. Built in ("internal", the default), the way a laptop's platform
 * authenticator would; "usb", a roaming one (cross-platform): a security key, or standing in for a
 * phone over hybrid, which CDP can't emulate.
 */
export async function addVirtualAuthenticator(page: Page, transport: "internal" | "usb" = "internal"): Promise<VirtualAuthenticator> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport,
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

/** A WebAuthn call a page made: a credential request (with its mediation, then how it ended) or a signal. */
/** `allow`: how many passkeys a get request listed (allowCredentials). */
export type WebAuthnCall = { method: "get" | "create" | "signal"; mediation?: string; name?: string; settled?: "resolved" | "rejected"; allow?: number };

const recorders = new WeakMap<BrowserContext, WebAuthnCall[]>();

/**
 * Records what this context's pages ask of WebAuthn (requests with their mediation and how they
 * ended, Signal API calls), so a test can wait for the call that matters, or show that one never
 * happened, instead of sleeping. Installed once per context; applies to pages loaded after it.
 */
export async function recordWebAuthnCalls(context: BrowserContext): Promise<WebAuthnCall[]> {
  const known = recorders.get(context);
  if (known) return known;
  const calls: WebAuthnCall[] = [];
  recorders.set(context, calls);
  await context.exposeBinding("__recordWebAuthnCall", (_source, call: WebAuthnCall) => void calls.push(call));
  await context.addInitScript(() => {
    const record = (call: unknown) => (globalThis as unknown as { __recordWebAuthnCall(call: unknown): Promise<void> }).__recordWebAuthnCall(call);
    const container = navigator.credentials as CredentialsContainer | undefined;
    for (const method of ["get", "create"] as const) {
      const real = container?.[method]?.bind(container);
      if (!container || !real) continue;
      container[method] = (options?: CredentialRequestOptions & CredentialCreationOptions) => {
        const mediation = options?.mediation ?? "optional";
        void record({ method, mediation, allow: options?.publicKey && "allowCredentials" in options.publicKey ? (options.publicKey.allowCredentials?.length ?? 0) : undefined });
        const request = real(options);
        request.then(
          () => record({ method, mediation, settled: "resolved" }),
          () => record({ method, mediation, settled: "rejected" }),
        );
        return request;
      };
    }
    const api = globalThis.PublicKeyCredential as unknown as Record<string, unknown> | undefined;
    for (const name of ["signalAllAcceptedCredentials", "signalCurrentUserDetails", "signalUnknownCredential"]) {
      const real = api?.[name];
      if (typeof real !== "function") continue;
      api![name] = (...args: unknown[]) => {
        void record({ method: "signal", name });
        return (real as (...a: unknown[]) => unknown).apply(api, args);
      };
    }
  });
  return calls;
}

/**
 * What this context's pages say they can do: `PublicKeyCredential.getClientCapabilities()` answers
 * with the browser's own capabilities overridden by `capabilities`, or, with null, doesn't exist
 * (as in browsers that predate it).
 */
export async function stubClientCapabilities(context: BrowserContext, capabilities: Record<string, boolean> | null): Promise<void> {
  await context.addInitScript((stub) => {
    const api = globalThis.PublicKeyCredential as unknown as { getClientCapabilities?: () => Promise<Record<string, boolean>> } | undefined;
    if (!api) return;
    const real = api.getClientCapabilities?.bind(api);
    const value = stub ? async () => ({ ...(real ? await real() : {}), ...stub }) : undefined;
    Object.defineProperty(api, "getClientCapabilities", { configurable: true, writable: true, value });
  }, capabilities);
}

export type Mail = { to: string; subject: string; text: string; code: string | null; links: string[] };

export type Message = { subject: string; text: string };

/** A message with its 6-digit code and links picked out. */
export function toMail(to: string, { subject, text }: Message): Mail {
  return {
    to,
    subject,
    text,
    code: text.match(/\b(\d{6})\b/)?.[1] ?? null,
    links: [...text.matchAll(/https?:\/\/\S+/g)].map((m) => m[0]),
  };
}

/** How /dev/outbox shows mail: an article per message, newest first (read by both engines' suites). */
export const outbox = {
  path: "/dev/outbox",
  messagesTo: (to: string) => `article[data-to="${to.toLowerCase()}"]`,
  subject: "h2",
  text: '[data-field="text"]',
};

/**
 * Mail to an address, newest first: from the Resend stand-in when the app sends real mail
 * (MAIL_RECORDER_URL, `npm run test:services`), else from /dev/outbox, the way a developer reads it.
 */
interface Mailbox {
  count(to: string): Promise<number>;
  newest(to: string): Promise<Message>;
}

const recorderMailbox = (recorderUrl: string): Mailbox => {
  const list = async (to: string) => {
    const res = await fetch(`${recorderUrl}/messages?to=${encodeURIComponent(to.toLowerCase())}`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`mail recorder answered ${res.status}`);
    return (await res.json()) as RecordedMail[];
  };
  return {
    count: async (to) => (await list(to)).length,
    newest: async (to) => {
      const [newest] = await list(to);
      if (!newest) throw new Error(`no mail to ${to}`);
      return newest;
    },
  };
};

const outboxMailbox = (page: Page): Mailbox => {
  const articles = (to: string) => page.locator(outbox.messagesTo(to));
  return {
    count: async (to) => {
      await page.goto(`${outbox.path}?to=${encodeURIComponent(to.toLowerCase())}`);
      return articles(to).count();
    },
    // Read right after count(), on the page it loaded.
    newest: async (to) => {
      const newest = articles(to).first();
      return { subject: await newest.locator(outbox.subject).innerText(), text: (await newest.locator(outbox.text).textContent()) ?? "" };
    },
  };
};

/** Runs `read` with this run's mailbox; the outbox reader gets a browser context of its own. */
async function withMailbox<T>(context: BrowserContext, read: (mailbox: Mailbox) => Promise<T>): Promise<T> {
  if (target.mailRecorderUrl) return read(recorderMailbox(target.mailRecorderUrl));
  const browser = context.browser();
  if (!browser) throw new Error("no browser");
  const reader = await browser.newContext({ baseURL: appOrigin() });
  try {
    return await read(outboxMailbox(await reader.newPage()));
  } finally {
    await reader.close();
  }
}

/** The newest message for an address (waiting for one newer than the first `after`, or for the newest to have `subject`). */
export async function readNewestMail(context: BrowserContext, to: string, options: { after?: number; subject?: string } = {}): Promise<Mail> {
  const message = await withMailbox(context, async (mailbox) => {
    let message: Message = { subject: "", text: "" };
    // next dev compiles /dev/outbox on its first visit, which takes longer than reading it.
    await expect(async () => {
      expect(await mailbox.count(to), `mail to ${to}`).toBeGreaterThan(options.after ?? 0);
      message = await mailbox.newest(to);
      if (options.subject !== undefined) expect(message.subject, `newest mail to ${to}`).toBe(options.subject);
    }).toPass({ timeout: base.info().project.name === "next-dev" ? 120_000 : 20_000 });
    return message;
  });
  return toMail(to, message);
}

/** How many messages an address has (to tell a new one from old ones). */
export async function countMail(context: BrowserContext, to: string): Promise<number> {
  return withMailbox(context, (mailbox) => mailbox.count(to));
}

/** The origin of the server this test's project runs against (the production build, or `next dev`). */
export function appOrigin(): string {
  return base.info().project.use.baseURL ?? target.baseURL;
}

/** A fresh identity per test, so tests never collide on the shared server. */
export function newPerson(prefix = "u") {
  const id = randomBytes(5).toString("hex");
  return { name: `Test ${prefix} ${id}`, username: `${prefix}_${id}`, email: `${prefix}.${id}@example.test` };
}

/** Another browser for this test: `authenticator` adds one; `capabilities` as stubClientCapabilities. */
export type DeviceOptions = { authenticator?: "internal" | "usb"; capabilities?: Record<string, boolean> | null };

/** Every test's `page` has a virtual authenticator; other contexts and pages start without one. */
export const test = base.extend<{ authenticator: VirtualAuthenticator; newDevice: (options?: DeviceOptions) => Promise<Page> }>({
  // The suite's servers trust X-Forwarded-For (TRUST_PROXY=xff, as behind a proxy of your own), so
  // each test is a client of its own for the per-client rate limits, rather than the whole run,
  // all on 127.0.0.1, sharing one. Applies to every context and request a test makes.
  extraHTTPHeaders: async ({ extraHTTPHeaders }, provide) => {
    const [a, b, c] = randomBytes(3);
    await provide({ ...extraHTTPHeaders, "X-Forwarded-For": `10.${a}.${b}.${c}` });
  },
  authenticator: [
    async ({ page }, use) => {
      await use(await addVirtualAuthenticator(page));
    },
    { auto: true },
  ],
  // Closed after the test.
  newDevice: async ({ browser }, provide) => {
    const contexts: BrowserContext[] = [];
    await provide(async ({ authenticator, capabilities } = {}) => {
      const context = await browser.newContext();
      contexts.push(context);
      if (capabilities !== undefined) await stubClientCapabilities(context, capabilities);
      const page = await context.newPage();
      if (authenticator) await addVirtualAuthenticator(page, authenticator);
      return page;
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
});

export { expect };
