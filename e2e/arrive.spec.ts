import { createHmac } from "node:crypto";
import type { Page } from "@playwright/test";
import { countMail, expect, newPerson, outbox, readNewestMail, test } from "./fixtures";
import { enterCode, requestEmailSignIn, signOut, startSignup } from "./flows";
import { target } from "./target";

const INSTAGRAM_IOS =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 334.0.4.32.98 (iPhone15,2; iOS 17_5; en_US; en; scale=3.00; 1179x2556; 609337787)";
const ANDROID_WEBVIEW = "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/127.0.6533.103 Mobile Safari/537.36";
const BANNER = "This app's built-in browser can't use passkeys.";

/** As in many in-app browsers: no WebAuthn at all. */
async function removePublicKeyCredential(page: Page) {
  await page.context().addInitScript(() => {
    delete (globalThis as { PublicKeyCredential?: unknown }).PublicKeyCredential;
  });
}

/** Sign-up by code in an in-app browser: the banner, no passkey button anywhere, then signed in by the code alone. */
async function signUpInApp(page: Page) {
  const person = newPerson("inapp");
  await page.goto("/signup");
  await expect(page.getByText(BANNER)).toBeVisible();
  const mail = await startSignup(page, person);
  await enterCode(page, mail.code!);
  await expect(page.getByRole("heading", { name: "Create a passkey" })).toBeVisible();
  await expect(page.getByRole("button", { name: /Create a passkey/ })).toHaveCount(0);
  await page.getByRole("button", { name: "Skip for now" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText("Signed in with an email link or code.")).toBeVisible();
  return person;
}

/** Sign-in by code in an in-app browser: the banner on both steps and no passkey button. */
async function signInInApp(page: Page, email: string) {
  await page.context().clearCookies({ name: "remember" });
  await page.goto("/login");
  await expect(page.getByText(BANNER)).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toHaveCount(0);
  const before = await countMail(page.context(), email);
  await requestEmailSignIn(page, email);
  const mail = await readNewestMail(page.context(), email, { after: before });
  await enterCode(page, mail.code!);
  await expect(page).toHaveURL(/\/account$/);
}

test.describe("Instagram's in-app browser on iOS", () => {
  test.use({ userAgent: INSTAGRAM_IOS });

  test("says passkeys can't work here, offers copy-link for Safari, and the code journey completes", async ({ page }) => {
    test.slow(); // a sign-up and a sign-in, both by email
    await removePublicKeyCredential(page);
    const person = await signUpInApp(page);
    await signOut(page);
    await page.goto("/login");
    await expect(page.getByRole("button", { name: "Copy link" })).toBeVisible();
    await expect(page.getByText("Then open Safari and paste it")).toBeVisible();
    await signInInApp(page, person.email);
    // Step 2 showed the banner too, with no passkey button.
  });
});

test.describe("Android WebView", () => {
  test.use({ userAgent: ANDROID_WEBVIEW });

  test("says passkeys can't work here, offers the default browser by intent URL, and the code journey completes", async ({ page }) => {
    test.slow(); // a sign-up and a sign-in, both by email
    await removePublicKeyCredential(page);
    const person = await signUpInApp(page);
    await signOut(page);
    await page.goto("/login");
    const way = page.getByRole("link", { name: "Open in your browser" });
    await expect(way).toHaveAttribute("href", `intent://${new URL(page.url()).host}/login#Intent;scheme=http;end`);
    await page.context().clearCookies({ name: "remember" });
    await page.goto("/login");
    await page.getByLabel("Username or email").fill(person.email);
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByRole("heading", { name: `Hello, ${person.email}` })).toBeVisible();
    await expect(page.getByText(BANNER)).toBeVisible();
    await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toHaveCount(0);
    const before = await countMail(page.context(), person.email);
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
    await enterCode(page, (await readNewestMail(page.context(), person.email, { after: before })).code!);
    await expect(page).toHaveURL(/\/account$/);
  });
});

test("a normal browser shows no banner and keeps its passkey button", async ({ page }) => {
  await page.goto("/login");
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toBeVisible();
  await page.goto("/signup");
  await expect(page.getByRole("button", { name: "Create account" })).toBeVisible();
  await expect(page.getByText("can't use passkeys")).toHaveCount(0);
});

test("a likely typo in the address's domain is questioned before anything is sent; the suggestion fixes it", async ({ page }) => {
  const person = newPerson("typo");
  const typo = person.email.replace("@example.test", "@gmial.com");
  const fixed = person.email.replace("@example.test", "@gmail.com");
  await page.goto("/signup");
  await page.getByLabel("Username").fill(person.username);
  await page.getByLabel("Email").fill(typo);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText(`Did you mean ${fixed}?`)).toBeVisible();
  expect(await countMail(page.context(), typo)).toBe(0);
  await page.getByRole("button", { name: `Use ${fixed}` }).click();
  await expect(page.getByLabel("Email")).toHaveValue(fixed);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  // A Gmail address: its inbox is a tap away, searched for our sender.
  await expect(page.getByRole("link", { name: "Open Gmail" })).toHaveAttribute("href", /^https:\/\/mail\.google\.com\/mail\/u\/0\/#search\/from%3A/);
  expect((await readNewestMail(page.context(), fixed)).code).toMatch(/^\d{6}$/);
});

/** A webhook as Resend would sign it (Svix's scheme) with the suite's secret, or another. */
function signedWebhook(body: string, secret = target.webhookSecret) {
  const id = `msg_${Date.now()}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", Buffer.from(secret.slice("whsec_".length), "base64")).update(`${id}.${timestamp}.${body}`).digest("base64");
  return { data: body, headers: { "content-type": "application/json", "svix-id": id, "svix-timestamp": timestamp, "svix-signature": `v1,${signature}` } };
}

test("a signed bounce webhook reaches the waiting tab within seconds, with a way to fix the address; a bad signature is a 401", async ({ page }) => {
  const person = newPerson("bounce");
  await startSignup(page, person);
  const body = JSON.stringify({ type: "email.bounced", created_at: new Date().toISOString(), data: { email_id: "e2e", to: [person.email], bounce: { type: "Permanent", subType: "General", message: "no such mailbox" } } });
  const forged = await page.request.post("/api/webhooks/resend", signedWebhook(body, `whsec_${Buffer.from("somebody else's secret, 32 bytes").toString("base64")}`));
  expect(forged.status()).toBe(401);
  const alert = page.getByText(`We couldn't deliver to ${person.email} — check the address.`);
  const signed = await page.request.post("/api/webhooks/resend", signedWebhook(body));
  expect(signed.status()).toBe(200);
  await expect(alert).toBeVisible();
  await page.getByRole("button", { name: "Fix the address" }).click();
  await expect(page.getByLabel("Username")).toHaveValue(person.username);
  await expect(page.getByLabel("Email")).toHaveValue("");
});

test("no oracle: an address that has an account waits and bounces like a new one; the dev outbox marks a bounce by POST only", async ({ page, browser }) => {
  test.slow(); // two sign-ups
  // The address gets an account in another browser.
  const owner = newPerson("owner");
  const other = await browser.newContext();
  const ownerPage = await other.newPage();
  const mail = await startSignup(ownerPage, owner);
  await enterCode(ownerPage, mail.code!);
  await ownerPage.getByRole("button", { name: "Skip for now" }).click();
  await expect(ownerPage).toHaveURL(/\/account$/);
  await other.close();

  // Someone signs up with it: the same waiting page (its owner is mailed instead of a code).
  const before = await countMail(page.context(), owner.email);
  await startSignup(page, { ...newPerson("again"), email: owner.email });
  await expect(page.getByText(`We sent a 6-digit code and a link to ${owner.email}`)).toBeVisible();
  expect((await readNewestMail(page.context(), owner.email, { after: before })).subject).toBe("You already have a Passwordless account");

  // Reading the outbox changes nothing; its "Mark bounced" button (a POST) does, as a webhook would.
  const outboxPage = await page.context().newPage();
  await outboxPage.goto(`${outbox.path}?to=${encodeURIComponent(owner.email)}`);
  await outboxPage.reload();
  await expect(page.getByText("We couldn't deliver")).toHaveCount(0);
  await outboxPage.locator(outbox.messagesTo(owner.email)).first().getByRole("button", { name: "Mark bounced" }).click();
  await expect(page.getByText(`We couldn't deliver to ${owner.email} — check the address.`)).toBeVisible();
});
