/**
 * The ceremonies against a running production server, driven as the browser drives them: server
 * actions over HTTP with the cookies the server sets, a software authenticator signing real
 * assertions (the soak reuses the steps). Every virtual browser has its own client IP (the server
 * runs with TRUST_PROXY=xff), as real visitors do, so per-client rate limits apply per browser.
 */
import { z } from "zod";
import { AppServer, VirtualBrowser, type ActionResult } from "@/test/action-client";
import { SoftCredential } from "@/test/soft-authenticator";
import { Level, perWorker, timed, type Sample } from "./measure";

export type Person = { username: string; credential: SoftCredential };
export type ProvenSignup = { browser: VirtualBrowser; username: string };

let ipCounter = 0;
/** A fresh client address per virtual browser (10.0.0.0/8 is never routed here; only a header). */
export function nextIp(): string {
  const n = ++ipCounter;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export const requestOptionsSchema = z.object({ ok: z.literal(true), options: z.object({ challenge: z.string(), rpId: z.string() }) });
const refusedSchema = z.object({ ok: z.literal(false), error: z.string() });
export const creationOptionsSchema = z.object({ ok: z.literal(true), options: z.object({ challenge: z.string(), rp: z.object({ id: z.string() }), user: z.object({ id: z.string() }) }) });

/** Times one step of a ceremony in `browser`, and counts the bytes it received. */
async function step<T>(sample: Required<Sample>, name: string, browser: VirtualBrowser, run: () => Promise<T>): Promise<T> {
  const before = browser.received;
  try {
    return await timed(sample.times, name, run);
  } finally {
    sample.bytes[name] = browser.received - before;
  }
}

const newSample = (): Required<Sample> => ({ times: {}, bytes: {} });

/** The action's value, checked against `schema`; a redirect or an error result fails loudly. */
export function valueOf<T>(result: ActionResult, schema: z.ZodType<T>, what: string): T {
  if (!("value" in result)) throw new Error(`${what}: unexpected redirect to ${result.redirect}`);
  const parsed = schema.safeParse(result.value);
  if (!parsed.success) throw new Error(`${what}: unexpected result ${JSON.stringify(result.value).slice(0, 300)}`);
  return parsed.data;
}

export function expectRedirect(result: ActionResult, to: string, what: string): void {
  if (!("redirect" in result) || result.redirect !== to) throw new Error(`${what}: expected a redirect to ${to}, got ${JSON.stringify(result).slice(0, 300)}`);
}

/**
 * Sign-ups with a proven email, ready for the passkey step: the form, then the code read from the
 * dev outbox page as a developer would, in batches (the outbox page keeps the newest 200 messages).
 */
export async function proveSignups(server: AppServer, count: number, runId: string): Promise<ProvenSignup[]> {
  const BATCH = 24;
  const proven: ProvenSignup[] = [];
  const reader = new VirtualBrowser(nextIp());
  const email = (username: string) => `${username}@bench.example`;
  for (let first = 0; first < count; first += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - first) }, (_, i) => ({ browser: new VirtualBrowser(nextIp()), username: `b${runId}_${first + i}` }));
    await Promise.all(
      batch.map(async ({ browser, username }) => {
        const result = await server.action("/signup", "submitSignup", browser, { form: { name: "", username, email: email(username) }, prevState: {} });
        expectRedirect(result, "/signup", "submitSignup");
      }),
    );
    const codes = outboxCodes((await server.request("GET", "/dev/outbox", reader)).body);
    await Promise.all(
      batch.map(async ({ browser, username }) => {
        const code = codes.get(email(username));
        if (!code) throw new Error(`no code in the outbox for ${email(username)}`);
        const result = await server.action("/signup", "submitSignupCode", browser, { form: { code }, prevState: {} });
        expectRedirect(result, "/signup", "submitSignupCode");
      }),
    );
    proven.push(...batch);
  }
  return proven;
}

/** Newest code per address from the /dev/outbox page (messages are listed newest first). */
function outboxCodes(html: string): Map<string, string> {
  const codes = new Map<string, string>();
  for (const m of html.matchAll(/<article data-to="([^"]+)"[\s\S]*?data-field="text"[^>]*>([\s\S]*?)<\/pre>/g)) {
    const [, to, text] = m;
    const code = text?.match(/\b(\d{6})\b/)?.[1];
    if (to && code && !codes.has(to)) codes.set(to, code);
  }
  return codes;
}

/** Sign-up's passkey step (options, then the response posted as a form: saved, signed in, 303), each for the next of `pending`, who then joins `people`. */
export function registrationCeremonies(server: AppServer, pending: ProvenSignup[], concurrency: number, people: Person[]): Level {
  return new Level(concurrency, server.cpuMicros, async () => {
    const signup = pending.shift();
    if (!signup) throw new Error("ran out of proven sign-ups");
    const sample = newSample();
    const { browser } = signup;
    const begun = valueOf(await step(sample, "options", browser, () => server.action("/signup", "signupPasskeyOptionsAction", browser, { args: [] })), creationOptionsSchema, "signupPasskeyOptions");
    const credential = new SoftCredential(begun.options.user.id);
    const response = credential.register(begun.options, server.origin);
    const to = await step(sample, "verify", browser, () => server.postForm("/signup", "signupWithPasskeyAction", browser, { response: JSON.stringify(response) }));
    if (to !== "/account") throw new Error(`signupWithPasskeyAction: 303 to ${to}`);
    people.push({ username: signup.username, credential });
    return sample;
  });
}

/** Discoverable passkey sign-in (the "Sign in with a passkey" button), each ceremony a new browser. */
export function signInCeremonies(server: AppServer, people: Person[], concurrency: number): Level {
  const next = perWorker(people, concurrency);
  return new Level(concurrency, server.cpuMicros, (worker) => signInOnce(server, next(worker), new VirtualBrowser(nextIp())));
}

/**
 * One passkey sign-in ceremony as a browser makes it; leaves `browser` signed in. The sign-in page
 * (GET /login, its request options rendered in) is the "page" step; after it, the verify: the
 * assertion posted as a form to the sign-in action, which signs in and answers 303 to /account.
 * `afterStep` runs untimed after each step.
 */
export async function signInOnce(server: AppServer, person: Person, browser: VirtualBrowser, afterStep?: () => Promise<void>): Promise<Sample> {
  const sample = newSample();
  const options = await step(sample, "page", browser, () => signInPageOptions(server, browser));
  await afterStep?.();
  const response = person.credential.authenticate(options, server.origin);
  await step(sample, "verify", browser, () => postSignIn(server, browser, response));
  await afterStep?.();
  return sample;
}

/** GET /login as a browser navigates to it, and the passkey request options the page carries. */
export async function signInPageOptions(server: AppServer, browser: VirtualBrowser): Promise<{ challenge: string; rpId: string }> {
  const page = await server.request("GET", "/login", browser, { Accept: "text/html" });
  if (page.status !== 200) throw new Error(`GET /login: HTTP ${page.status}`);
  // The options are a client component's prop, in the page's Flight data (quotes escaped there).
  const challenge = /challenge\\?":\\?"([A-Za-z0-9_-]+)/.exec(page.body)?.[1];
  const rpId = /rpId\\?":\\?"([^"\\]+)/.exec(page.body)?.[1];
  if (!challenge || !rpId) throw new Error("GET /login: no passkey request options in the page");
  return { challenge, rpId };
}

/** The sign-in page alone, each a new browser: a sign-in's cost after its page is the difference. */
export function signInPageCeremonies(server: AppServer, concurrency: number): Level {
  return new Level(concurrency, server.cpuMicros, async () => {
    const sample = newSample();
    const browser = new VirtualBrowser(nextIp());
    await step(sample, "page", browser, () => signInPageOptions(server, browser));
    return sample;
  });
}

/** The sign-in page's one request: the assertion posted as a form; signed in, it answers 303 to /account. */
export async function postSignIn(server: AppServer, browser: VirtualBrowser, response: unknown): Promise<void> {
  const to = await server.postForm("/login", "passkeySignIn", browser, { response: JSON.stringify(response), next: "/account" });
  if (to !== "/account") throw new Error(`passkeySignIn: 303 to ${to}`);
}

export type EmailRequest = { browser: VirtualBrowser; identifier: string };

/** Browsers on the sign-in page, each to ask for one person's link (round robin: at most a few per address, under its limit of 5). */
export function prepareEmailRequests(people: Person[], count: number): EmailRequest[] {
  return Array.from({ length: count }, (_, i) => ({ browser: new VirtualBrowser(nextIp()), identifier: people[i % people.length]!.username }));
}

/** "Email me a sign-in link" from step 1 of the sign-in page, through to the redirect to the code page; each for the next of `prepared`. */
export function emailCeremonies(server: AppServer, prepared: EmailRequest[], concurrency: number): Level {
  return new Level(concurrency, server.cpuMicros, async () => {
    const item = prepared.shift();
    if (!item) throw new Error("ran out of prepared browsers");
    const sample = newSample();
    const result = await step(sample, "request", item.browser, () =>
      server.action("/login?next=%2Faccount", "emailLinkForTyped", item.browser, { form: { identifier: item.identifier, next: "/account" }, prevState: {} }),
    );
    expectRedirect(result, "/login/code?next=%2Faccount", "emailLinkForTyped");
    return sample;
  });
}

/**
 * Next.js's own cost per request of the kinds a sign-in makes, with (almost) no app work behind
 * them: a fetched action (options with an invalid mode, refused by its zod check before any lib
 * call), and the sign-in's form post with no assertion (refused by its input check, 303 back to
 * the page). The proxy runs for both, as for every request.
 */
export function requestFloorCeremonies(server: AppServer, kind: "action" | "form", concurrency: number): Level {
  return new Level(concurrency, server.cpuMicros, async () => {
    const sample = newSample();
    const browser = new VirtualBrowser(nextIp());
    if (kind === "action") {
      const refused = valueOf(await step(sample, "request", browser, () => server.action("/login", "passkeyOptions", browser, { args: ["none"] })), refusedSchema, "passkeyOptions");
      if (refused.error !== "invalid_input") throw new Error(`passkeyOptions("none"): ${refused.error}`);
    } else {
      const to = await step(sample, "request", browser, () => server.postForm("/login", "passkeySignIn", browser, { response: "", next: "/account" }));
      if (to !== "/login?passkey_error=signin_failed") throw new Error(`passkeySignIn with no assertion: 303 to ${to}`);
    }
    return sample;
  });
}
