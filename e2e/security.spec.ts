import { readFileSync } from "node:fs";
import path from "node:path";
import type { Request } from "@playwright/test";
import { freePort, startNext } from "../scripts/services";
import { actionId, callAction } from "../test/action-client";
import { SoftCredential } from "../test/soft-authenticator";
import { addVirtualAuthenticator, appOrigin, countMail, expect, newPerson, test } from "./fixtures";
import { target } from "./target";
import { emailLinkFromStepOne, enterCode, openLoginWithoutAutofill, signOut, signUpWithPasskey, startSignup } from "./flows";

const PAGES = ["/", "/signup", "/login", "/login/code", "/signup/verify?token=x", "/login/email?token=x", "/account/confirm", "/dev/outbox", "/no-such-page"];

test("every page sends the security headers, with a fresh CSP nonce that its scripts carry", async ({ request }) => {
  const nonces = new Set<string>();
  for (const path of PAGES) {
    const response = await request.get(path, { maxRedirects: 0 });
    const h = response.headers();
    const csp = h["content-security-policy"] ?? "";
    const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
    expect(scriptSrc, path).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
    expect(scriptSrc, path).toContain("'strict-dynamic'");
    expect(scriptSrc, path).not.toContain("unsafe-inline");
    for (const directive of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) expect(csp, path).toContain(directive);
    nonces.add(scriptSrc.match(/'nonce-([^']+)'/)![1]!);
    expect(h["x-content-type-options"], path).toBe("nosniff");
    expect(h["cross-origin-opener-policy"], path).toBe("same-origin");
    expect(h["cache-control"], path).toContain("no-store");
    expect(h["referrer-policy"], path).toBe(path.includes("token=") ? "same-origin" : "strict-origin-when-cross-origin");
    expect(h["strict-transport-security"], `${path}: no HSTS over plain http`).toBeUndefined();
    if (response.status() === 200) {
      const html = await response.text();
      const nonce = scriptSrc.match(/'nonce-([^']+)'/)![1]!;
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length, path).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag, path).toContain(`nonce="${nonce}"`);
    }
  }
  expect(nonces.size).toBe(PAGES.length);
});

test("the app works under its CSP: no violations reported while signing up", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text());
  });
  await signUpWithPasskey(page, newPerson("csp"));
  expect(violations).toEqual([]);
});

/** Captures a real server-action request from the browser, to replay it with forged headers. */
async function captureSignupAction(page: import("@playwright/test").Page): Promise<Request> {
  await page.goto("/signup");
  const person = newPerson("xsite");
  await page.getByLabel("Username").fill(person.username);
  await page.getByLabel("Email").fill(person.email);
  const captured = page.waitForRequest((r) => r.method() === "POST" && Boolean(r.headers()["next-action"]));
  await page.getByRole("button", { name: "Create account" }).click();
  return captured;
}

test("server actions from another site, with Origin: null, or without Origin change nothing", async ({ page, browser }) => {
  const original = await captureSignupAction(page);
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();

  const forgedHeaders: Record<string, string | null>[] = [
    { origin: "https://evil.example" },
    { origin: "null" },
    { origin: null },
    { origin: target.baseURL, "sec-fetch-site": "cross-site" },
  ];
  for (const forged of forgedHeaders) {
    // A fresh browser: the forged request carries no cookie of ours, as from an attacker's page.
    const context = await browser.newContext();
    const headers: Record<string, string> = { ...(await original.allHeaders()) };
    delete headers.cookie;
    for (const [k, v] of Object.entries(forged)) {
      if (v === null) delete headers[k];
      else headers[k] = v;
    }
    const person = newPerson("forged");
    const body = original.postData()!.replace(/xsite_[0-9a-f]+/g, person.username).replace(/xsite\.[0-9a-f]+@example\.test/g, person.email);
    const response = await context.request.post(original.url(), { headers, data: body, maxRedirects: 0 });
    expect(response.status(), JSON.stringify(forged)).toBe(403);
    expect((await context.cookies()).find((c) => c.name === "signup")).toBeUndefined();
    expect(await countMail(context, person.email)).toBe(0);
    await context.close();
  }
});

test("no CORS grants to foreign origins; route handlers refuse cross-site writes", async ({ request }) => {
  for (const path of ["/", "/api/health", "/login"]) {
    const response = await request.fetch(path, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } });
    expect(response.headers()["access-control-allow-origin"]).toBeUndefined();
    expect(response.headers()["access-control-allow-credentials"]).toBeUndefined();
  }
  const health = await request.post("/api/health", { headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" } });
  expect(health.status()).toBe(403);
});

test("a tampered or garbage session cookie is simply signed out, never an error", async ({ page, browser }) => {
  // Six cookies, five pages each, every one in a context of its own.
  test.setTimeout(120_000);
  await signUpWithPasskey(page, newPerson("tamper"));
  const session = (await page.context().cookies()).find((c) => c.name === "session")!;
  const variants = [`${session.value.slice(0, -4)}AAAA`, session.value.replace("Fe26.2*", "Fe26.2*9"), "garbage", "Fe26.2**", "%%%", "x".repeat(3000)];
  for (const value of variants) {
    const context = await browser.newContext();
    await context.addCookies([{ ...session, value }]);
    const p = await context.newPage();
    for (const path of ["/", "/account", "/login", "/signup"]) {
      const response = await p.goto(path);
      expect(response?.status(), `${path} with ${value.slice(0, 12)}`).toBeLessThan(400);
    }
    await expect(p).toHaveURL(/\/signup$/);
    await p.goto("/account");
    await expect(p).toHaveURL(/\/login/);
    await context.close();
  }
});

/** A multipart body as a browser would send it. */
/** A multipart body; a field's third element adds to its part's headers (a file part, a content type). */
function multipart(fields: ([string, string] | [string, string, string])[], boundary = "FuzzBoundary"): { type: string; body: string } {
  const parts = fields.map(([name, value, extra = ""]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n${value}\r\n`);
  return { type: `multipart/form-data; boundary=${boundary}`, body: `${parts.join("")}--${boundary}--\r\n` };
}

/** Part headers that make a file (for undici, busboy or both): the app takes no uploads. */
const FILE_PARTS = ['; filename="a.txt"\r\nContent-Type: text/plain', "\r\nContent-Type: application/octet-stream", "; filename*=UTF-8''a.txt", "\r\nContent-Type: text/plain"];

/** Every server action, called with malformed arguments in every content type, answers without a 500 and changes nothing. */
test("malformed payloads to every server action get an answer, never a 500", async ({ page, request, browser }) => {
  test.setTimeout(300_000);
  // A bystander's pending sign-up must survive the fuzzing untouched.
  const bystander = await browser.newContext();
  const bystanderPage = await bystander.newPage();
  await startSignup(bystanderPage, newPerson("bystander"));

  // Fuzz as a signed-in person, so account actions get past their session check.
  await signUpWithPasskey(page, newPerson("fuzz"));
  const ids = actionIds();
  expect(ids.length).toBeGreaterThanOrEqual(20);
  const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
  const text = "text/plain;charset=UTF-8";
  const bodies: [string, string][] = [
    [text, ""],
    [text, "not json"],
    [text, "{}"],
    [text, "[]"],
    [text, "[null]"],
    [text, "[1,2,3,4,5,6]"],
    [text, '[{"id":1,"rawId":[],"type":"public-key","response":"x"}]'],
    [text, '[{"id":"' + "A".repeat(5000) + '","rawId":"!!","type":"public-key","response":{"clientDataJSON":"%%%","attestationObject":"oWNmbXQ"}}]'],
    [text, '["discoverable", {"__proto__": {"admin": true}}]'],
    [text, '[{"$$typeof": "react.element"}]'],
    [text, JSON.stringify(["x".repeat(200_000)])],
    [text, JSON.stringify(["y".repeat(1100 * 1024)])],
    [text, deep],
    // Flight references our clients never send: promises, Maps, Sets, FormData, server and temporary references, chunk ids.
    ...["$@0", "$Q0", "$W0", "$K0", "$F0", "$T", "$B0", "$R0", "$i0", "$1", "$n1", "$D2020"].map((ref): [string, string] => [text, JSON.stringify([ref, { nested: [ref] }])]),
    ["application/json", "[1]"],
    ["application/x-www-form-urlencoded", "a=1&0=%5B%5D"],
    ["application/octet-stream", "[1]"],
    ["multipart/form-data; boundary=missing", "--other\r\n\r\n"],
    ["multipart/form-data", "no boundary at all"],
    ...[
      multipart([["0", '["$@1"]'], ["1", "x"]]),
      multipart([["0", '["$Q1"]'], ["1", "[]"]]),
      multipart([["0", deep]]),
      multipart([["0", '[{},"$K1"]'], ["1_code", "000000"], ["1_token", "garbage"], ["1_email", "not-an-email"]]),
      multipart([["0", JSON.stringify(["z".repeat(1100 * 1024)])]]),
    ].map(({ type, body }): [string, string] => [type, body]),
  ];
  const statuses = new Map<number, number>();
  for (const id of ids) {
    for (const [contentType, body] of bodies) {
      const response = await page.request.post("/signup", {
        headers: { "next-action": id, origin: target.baseURL, "content-type": contentType, accept: "text/x-component" },
        data: body,
        maxRedirects: 0,
      });
      statuses.set(response.status(), (statuses.get(response.status()) ?? 0) + 1);
      expect(response.status(), `action ${id} with ${contentType} ${body.slice(0, 40)}`).toBeLessThan(500);
      expect(await response.text()).not.toMatch(/at [\w$.<>]+ \(|node_modules|\.next\/server/);
    }
  }
  // File parts (and parts with more headers than a plain field), as the argument list or as a form field: refused outright.
  const fileBodies = FILE_PARTS.flatMap((file) => [multipart([["0", '["discoverable"]', file]]), multipart([["0", '[{},"$K1"]'], ["1_identifier", "ada", file], ["1_code", "000000"]])]);
  for (const id of ids) {
    for (const { type, body } of fileBodies) {
      const response = await page.request.post("/signup", { headers: { "next-action": id, origin: target.baseURL, "content-type": type, accept: "text/x-component" }, data: body, maxRedirects: 0 });
      expect(response.status(), `action ${id} with ${body.slice(0, 120)}`).toBe(400);
    }
  }
  // Forms posted before the page's JavaScript ran (no Next-Action header), with forged fields.
  const formPosts = [
    multipart([["$ACTION_ID_zz", ""]]),
    multipart([[`$ACTION_ID_${"0".repeat(42)}`, ""]]),
    multipart([["$ACTION_REF_1", ""], ["$ACTION_1:0", '{"id":"x","bound":"$@1"}']]),
    multipart([["$ACTION_REF_1", ""], ["$ACTION_1:0", deep]]),
    ...ids.map((id) => multipart([[`$ACTION_ID_${id}`, ""], ["code", "1"], ["token", "x"], ["identifier", ""]])),
  ];
  for (const { type, body } of formPosts) {
    const response = await page.request.post("/login", { headers: { origin: target.baseURL, "content-type": type }, data: body, maxRedirects: 0 });
    expect(response.status(), `form post ${body.slice(0, 80)}`).toBeLessThan(500);
  }
  // A form posted with a file part anywhere (the action's id, its bound state, a field) is refused outright.
  const [someId] = ids;
  const filePosts = FILE_PARTS.flatMap((file) => [
    multipart([[`$ACTION_ID_${someId}`, "", file], ["identifier", "ada"]]),
    multipart([[`$ACTION_ID_${someId}`, ""], ["identifier", "ada", file]]),
    multipart([["$ACTION_REF_1", ""], ["$ACTION_1:0", `{"id":"${someId}","bound":"$@1"}`, file], ["$ACTION_1:1", "[{}]"]]),
  ]);
  for (const { type, body } of filePosts) {
    const response = await page.request.post("/login", { headers: { origin: target.baseURL, "content-type": type }, data: body, maxRedirects: 0 });
    expect(response.status(), `form post ${body.slice(0, 120)}`).toBe(400);
  }
  expect(statuses.get(400)).toBeGreaterThan(0);
  // Still healthy, and nothing of the bystander's was touched.
  expect((await request.get("/api/health")).status()).toBe(200);
  await bystanderPage.reload();
  await expect(bystanderPage.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await bystander.close();
});

/** Every server action of the build under test, from Next's own manifest. */
function actionIds(): string[] {
  const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as { node: Record<string, unknown> };
  return Object.keys(manifest.node);
}

/** Every variable the app reads, blanked, so a server started here gets only what a test gives it. */
const NO_APP_CONFIG = Object.fromEntries(
  ["APP_URL", "RP_ORIGINS", "SESSION_SECRET", "DATABASE_URL", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "KV_REST_API_URL", "KV_REST_API_TOKEN", "RESEND_API_KEY", "RESEND_BASE_URL", "EMAIL_FROM", "ALLOW_EMBEDDED", "DEV_OUTBOX", "TRUST_PROXY", "VERCEL"].map((name) => [name, ""]),
);

test("a production start without DEV_OUTBOX=1 neither serves nor logs mail, and health doesn't mention it", async ({ browser }) => {
  test.setTimeout(90_000);
  const port = await freePort();
  const logFile = path.join(test.info().outputDir, "next.log");
  const server = await startNext({ port, env: { ...NO_APP_CONFIG, ALLOW_EMBEDDED: "1", PGLITE_DIR: "memory://", APP_URL: `http://localhost:${port}` }, logFile });
  const context = await browser.newContext({ baseURL: `http://localhost:${port}` });
  try {
    const page = await context.newPage();
    expect((await page.request.get("/dev/outbox")).status()).toBe(404);
    const health = await (await page.request.get("/api/health")).text();
    expect(health).not.toMatch(/outbox|mail|resend/i);

    // A sign-up sends a code and a link: neither may reach the log.
    const person = newPerson("quiet");
    await page.goto("/signup");
    await page.getByLabel("Username").fill(person.username);
    await page.getByLabel("Email").fill(person.email);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
    const log = readFileSync(logFile, "utf8");
    expect(log).toContain("DEV_OUTBOX=1 keeps it");
    expect(log).not.toMatch(/\[dev outbox\]|token=|\b\d{6}\b|example\.test/);
  } finally {
    await context.close();
    await server.stop();
  }
});

/** The newest 6-digit code mailed to `to`, from a server's own dev outbox (mail goes out after the response: wait for it). */
async function outboxCode(request: import("@playwright/test").APIRequestContext, origin: string, to: string): Promise<string> {
  let code: string | undefined;
  await expect(async () => {
    const html = await (await request.get(`${origin}/dev/outbox`)).text();
    const article = html.split("<article").find((a) => a.includes(`data-to="${to}"`));
    code = article?.match(/data-field="text"[^>]*>[\s\S]*?\b(\d{6})\b/)?.[1];
    expect(code, `a code mailed to ${to}`).toBeDefined();
  }).toPass({ timeout: 20_000 });
  return code!;
}

/** A passkey sign-up on a server a test started itself, reading the code from that server's outbox. */
async function signUpOn(page: import("@playwright/test").Page, origin: string, person: { username: string; email: string }): Promise<void> {
  await page.goto(`${origin}/signup`);
  await page.getByLabel("Username").fill(person.username);
  await page.getByLabel("Email").fill(person.email);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await enterCode(page, await outboxCode(page.request, origin, person.email));
  await page.getByRole("button", { name: "Create a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
}

test("without a trusted proxy, limits key on the TCP peer: one client's flood locks out only itself", async ({ browser }) => {
  test.setTimeout(240_000);
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const logFile = path.join(test.info().outputDir, "next.log");
  // The default configuration: no TRUST_PROXY, so no forwarded header is believed.
  const server = await startNext({ port, env: { ...NO_APP_CONFIG, ALLOW_EMBEDDED: "1", DEV_OUTBOX: "1", PGLITE_DIR: "memory://", APP_URL: origin }, logFile });
  const context = await browser.newContext({ baseURL: origin, extraHTTPHeaders: {} });
  try {
    const page = await context.newPage();
    const authenticator = await addVirtualAuthenticator(page);
    const person = newPerson("peer");
    await signUpOn(page, origin, person);
    expect(readFileSync(logFile, "utf8")).toContain("Per-client rate limits key on the TCP peer address");

    // A flood from 127.0.0.2, claiming other addresses in X-Forwarded-For: only its own bucket empties.
    const emailId = actionId("app/login/actions.ts", "emailLinkForTyped");
    const answers = [];
    for (let i = 0; i < 31; i++) answers.push(await callAction(origin, "/login", emailId, { form: { identifier: `flood-${i}-${person.username}`, next: "" } }, { localAddress: "127.0.0.2" }));
    expect(answers.slice(0, 30).every((a) => a.redirect === "/login/code")).toBe(true);
    expect(answers[30]?.redirect).toBeUndefined();
    expect(answers[30]?.body).toContain("rate_limited");
    const optionsId = actionId("app/login/actions.ts", "passkeyOptions");
    let last;
    for (let i = 0; i < 601; i++) last = await callAction(origin, "/login", optionsId, { args: ["discoverable"] }, { localAddress: "127.0.0.2" });
    expect(last?.body).toContain("rate_limited");

    // Everyone else (here, the browser on 127.0.0.1) is untouched: a sign-in link and a passkey sign-in.
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Sign in" })).toBeVisible();
    await openLoginWithoutAutofill(page, authenticator);
    await page.getByLabel("Username or email").fill(person.email);
    await emailLinkFromStepOne(page);
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
    await openLoginWithoutAutofill(page, authenticator);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(page).toHaveURL(/\/account$/);
  } finally {
    await context.close();
    await server.stop();
  }
});

/**
 * Behind a trusted proxy, limits key on the client address the proxy saw: the last X-Forwarded-For
 * hop (xff: the hops before it are the client's to write), or the first x-vercel-forwarded-for
 * entry (vercel). IPv6 addresses count per /64. Each request below varies what the client could
 * write, so none of it may buy a fresh bucket.
 */
for (const setting of ["xff", "vercel"] as const) {
  test(`with TRUST_PROXY=${setting}, limits key on the address the proxy saw, IPv6 per /64: one client's flood locks out only itself`, async () => {
    test.setTimeout(120_000);
    const port = await freePort();
    const origin = `http://localhost:${port}`;
    const logFile = path.join(test.info().outputDir, "next.log");
    const server = await startNext({ port, env: { ...NO_APP_CONFIG, ALLOW_EMBEDDED: "1", DEV_OUTBOX: "1", PGLITE_DIR: "memory://", APP_URL: origin, TRUST_PROXY: setting }, logFile });
    try {
      expect(readFileSync(logFile, "utf8")).toContain(setting === "xff" ? "the last X-Forwarded-For entry" : "Vercel's client IP header");
      const emailId = actionId("app/login/actions.ts", "emailLinkForTyped");
      let n = 0;
      /** One sign-in email request from `client`, through the proxy, with a spoofed hop that changes every time. */
      const ask = async (client: string): Promise<string> => {
        const spoofed = `10.${Math.floor(n / 250) % 250}.${n % 250}.1`;
        const headers: Record<string, string> = setting === "xff" ? { "x-forwarded-for": `${spoofed}, ${client}` } : { "x-vercel-forwarded-for": `${client}, ${spoofed}`, "x-forwarded-for": spoofed };
        const answer = await callAction(origin, "/login", emailId, { form: { identifier: `proxied-${n++}`, next: "" } }, { headers });
        return answer.redirect === "/login/code" ? "sent" : answer.body.includes("rate_limited") ? "limited" : `status ${answer.status}`;
      };
      const limit = 30; // LIMITS.emailPerClient in lib/rate-limit.ts (which only the server can import)
      for (const [flooder, sameBlock, other] of [
        ["198.51.100.7", "198.51.100.7", "198.51.100.8"],
        ["2001:db8:7:1::1", "2001:db8:7:1:ffff:ee:dd:cc", "2001:db8:7:2::1"],
      ]) {
        const answers = [];
        for (let i = 0; i <= limit; i++) answers.push(await ask(flooder!));
        expect(answers.slice(0, limit), flooder).toEqual(Array(limit).fill("sent"));
        expect(answers[limit], flooder).toBe("limited");
        // Yet another spoofed hop, or another address in the same /64: still the same, spent bucket.
        expect(await ask(sameBlock!), sameBlock).toBe("limited");
        // Another client is untouched.
        expect(await ask(other!), other).toBe("sent");
      }
    } finally {
      await server.stop();
    }
  });
}

test("forged assertions with a victim's credential id write nothing to the victim's activity", async ({ page, authenticator, request }) => {
  test.setTimeout(180_000);
  const victim = newPerson("victim");
  await signUpWithPasskey(page, victim);
  const [credential] = await authenticator.credentials();
  // What happened, without when: "just now" turns into a date while the forger works.
  const events = async () => (await page.getByTestId("activity").allInnerTexts()).map((text) => text.split("\n")[0]);
  await page.reload();
  const before = await events();

  // The attacker signs assertions for the victim's credential id and user handle with a key of
  // their own, straight to the sign-in actions, as the outside review did.
  const forger = new SoftCredential(Buffer.from(credential!.userHandle!, "base64").toString("base64url"));
  (forger as { id: Uint8Array }).id = new Uint8Array(Buffer.from(credential!.credentialId, "base64"));
  const origin = appOrigin();
  const optionsId = actionId("app/login/actions.ts", "passkeyOptions");
  const signInId = actionId("app/login/actions.ts", "passkeySignIn");
  for (let i = 0; i < 22; i++) {
    const options = await callAction(origin, "/login", optionsId, { args: ["discoverable"] }, { localAddress: "127.0.0.3" });
    const challenge = /"challenge":"([^"]+)"/.exec(options.body)?.[1];
    expect(challenge, options.body).toBeTruthy();
    forger.counter = i % 2 ? 0 : 1000; // regressions and jumps alike
    // Posted as the sign-in page posts it: a form to the action that verifies and signs in.
    const response = JSON.stringify(forger.authenticate({ challenge: challenge!, rpId: new URL(origin).hostname }, origin));
    const answer = await request.post(`${origin}/login`, { headers: { Origin: origin }, multipart: { [`$ACTION_ID_${signInId}`]: "", response, next: "/account" }, maxRedirects: 0 });
    expect(answer.status()).toBe(303);
    expect(answer.headers()["location"]).toMatch(/^\/login\?passkey_error=(signin_failed|passkey_failed)$/);
    expect(answer.headers()["set-cookie"] ?? "").not.toMatch(/(^|\n)(__Host-)?session=/);
  }

  await page.reload();
  expect(await events()).toEqual(before);
  await expect(page.getByText(/possible clone/)).toHaveCount(0);
});

test("username-first decoys for unknown names look like real Chromium-made accounts' passkey lists", async ({ browser }) => {
  test.setTimeout(180_000);
  // A server of its own: decoys copy the shapes of every account on a server, and the shared
  // one has accounts with two passkeys and Firefox-made ones that these two accounts don't show.
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const server = await startNext({ port, env: { ...NO_APP_CONFIG, ALLOW_EMBEDDED: "1", DEV_OUTBOX: "1", PGLITE_DIR: "memory://", APP_URL: origin }, logFile: path.join(test.info().outputDir, "next.log") });
  try {
    const real = [newPerson("shape"), newPerson("shape")];
    for (const person of real) {
      const context = await browser.newContext();
      const p = await context.newPage();
      await addVirtualAuthenticator(p);
      await signUpOn(p, origin, person);
      await context.close();
    }
    /** The allowCredentials a browser at step 2 gets for `identifier`, captured where the browser receives them. */
    const allowFor = async (identifier: string) => {
      const context = await browser.newContext();
      const p = await context.newPage();
      await p.addInitScript(() => {
        const get = navigator.credentials.get.bind(navigator.credentials);
        navigator.credentials.get = (options?: CredentialRequestOptions) => {
          // The button's request, not step 1's autofill one (which lists nothing).
          if (options?.mediation !== "conditional") {
            const allow = options?.publicKey?.allowCredentials ?? [];
            (window as unknown as { captured: unknown }).captured = allow.map((c) => ({ bytes: (c.id as ArrayBuffer).byteLength, transports: c.transports ?? [] }));
          }
          return get(options);
        };
      });
      await p.goto(`${origin}/login`);
      await p.getByLabel("Username or email").fill(identifier);
      await p.getByRole("button", { name: "Continue" }).click();
      // Step 1 has a passkey button of its own (discoverable, no list): wait for step 2's.
      await expect(p.getByRole("heading", { name: `Hello, ${identifier}` })).toBeVisible();
      await p.getByRole("button", { name: "Sign in with a passkey" }).click();
      await expect.poll(() => p.evaluate(() => (window as unknown as { captured?: unknown }).captured)).toBeTruthy();
      const captured = (await p.evaluate(() => (window as unknown as { captured: unknown }).captured)) as { bytes: number; transports: string[] }[];
      await context.close();
      return JSON.stringify(captured);
    };
    const realShapes = new Set<string>();
    for (const person of real) realShapes.add(await allowFor(person.username));
    expect(realShapes.has("[]"), "real accounts list their passkeys").toBe(false);
    for (const unknown of ["nobody-here", "x".repeat(30), `${real[0]!.username}x`]) {
      expect(realShapes, `decoy for ${unknown}`).toContain(await allowFor(unknown));
    }
  } finally {
    await server.stop();
  }
});

test("an email can't be linked to its username by comparing the passkey options step 2 gets", async ({ page, browser, authenticator }) => {
  const person = newPerson("link");
  await signUpWithPasskey(page, person);
  const [credential] = await authenticator.credentials();
  const credentialId = Buffer.from(credential!.credentialId, "base64").toString("base64url");
  const optionsId = actionId("app/login/actions.ts", "passkeyOptions");
  /** The whole answer a stranger gets after typing `identifier` at step 1, through the real actions, its challenge blanked. */
  const optionsFor = async (identifier: string) => {
    const context = await browser.newContext();
    const stranger = await context.newPage();
    await stranger.goto("/login");
    await stranger.getByLabel("Username or email").fill(identifier);
    await stranger.getByRole("button", { name: "Continue" }).click();
    await expect(stranger.getByRole("heading", { name: `Hello, ${identifier}` })).toBeVisible();
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    await context.close();
    const answer = await callAction(appOrigin(), "/login", optionsId, { args: ["identified"] }, { cookie });
    expect(answer.status, answer.body).toBe(200);
    // A stateless challenge (lib/challenge.ts: 70 bytes, base64url), blanked below.
    expect(answer.body).toMatch(/"challenge":"[A-Za-z0-9_-]{94}"/);
    const body = answer.body.replace(/"challenge":"[A-Za-z0-9_-]+"/, '"challenge":""');
    // The action's result is the stream's row "1:".
    const row = body.split("\n").find((line) => line.startsWith("1:"));
    const result = JSON.parse(row?.slice(2) ?? "null") as { options?: { allowCredentials?: { id: string }[] } } | null;
    expect(result?.options?.allowCredentials, body).toBeDefined();
    return { body, allow: result!.options!.allowCredentials! };
  };
  const byName = await optionsFor(person.username);
  expect(byName.allow.map((c) => c.id)).toEqual([credentialId]);
  const byEmail = await optionsFor(person.email);
  const byOtherEmail = await optionsFor(`nobody.${person.email}`);
  // Nothing in the answer tells the account's email from any other, and nothing in it is the username's list.
  expect(byEmail.body).toBe(byOtherEmail.body);
  expect(byEmail.allow).toEqual([]);
  expect(byEmail.body).not.toContain(credentialId);
});

test("sign-out asks the browser to clear this site's cache and storage, and is a POST only", async ({ page }) => {
  await signUpWithPasskey(page, newPerson("clear"));
  expect((await page.request.get("/sign-out", { maxRedirects: 0 })).status()).toBeGreaterThanOrEqual(400);
  await page.goto("/account");
  await expect(page.getByTestId("account-username")).toBeVisible();
  const response = await page.request.post("/sign-out", { headers: { origin: target.baseURL }, maxRedirects: 0 });
  expect(response.status()).toBe(303);
  expect(response.headers()["clear-site-data"]).toBe('"cache", "storage"');
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login/);
});

test("signing out with the button really empties this site's storage in Chromium, and ends the session cookie", async ({ page }) => {
  await signUpWithPasskey(page, newPerson("wipe"));
  // What a page of this origin could have left behind: every kind of storage Clear-Site-Data "storage" names.
  await page.evaluate(async () => {
    localStorage.setItem("left", "behind");
    sessionStorage.setItem("left", "behind");
    await new Promise<void>((resolve, reject) => {
      const open = indexedDB.open("left-behind", 1);
      open.onupgradeneeded = () => open.result.createObjectStore("things").put("behind", "left");
      open.onsuccess = () => (open.result.close(), resolve());
      open.onerror = () => reject(open.error);
    });
    await (await caches.open("left-behind")).put("/left-behind", new Response("behind"));
  });
  const leftBehind = () =>
    page.evaluate(async () => ({
      localStorage: localStorage.getItem("left"),
      sessionStorage: sessionStorage.getItem("left"),
      indexedDB: (await indexedDB.databases()).some((d) => d.name === "left-behind"),
      caches: await caches.has("left-behind"),
    }));
  expect(await leftBehind()).toEqual({ localStorage: "behind", sessionStorage: "behind", indexedDB: true, caches: true });
  expect((await page.context().cookies()).map((c) => c.name)).toContain("session");

  await signOut(page);
  expect(await leftBehind()).toEqual({ localStorage: null, sessionStorage: null, indexedDB: false, caches: false });
  expect((await page.context().cookies()).map((c) => c.name)).not.toContain("session");
});
