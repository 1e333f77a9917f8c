import type { Browser, Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { expect, newPerson, readNewestMail, test } from "./fixtures";
import { signUpWithPasskey } from "./flows";

/**
 * "Sign in with your phone (already signed in there)": a signed-out desktop shows a QR code and
 * its short URL; `page` (with the fixture's virtual authenticator) is the phone, signed in with
 * the account's passkey. Expiry is covered with a test clock in lib/qr-sign-in.test.ts.
 */

/** A signed-out desktop, a client of its own, on step 1 of /login. */
async function desktop(browser: Browser): Promise<Page> {
  const [a, b, c] = randomBytes(3);
  const context = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-For": `10.${a}.${b}.${c}` } });
  const page = await context.newPage();
  await page.goto("/login");
  return page;
}

/** Presses "Sign in with your phone" (typing `name` first, if given); returns the short URL shown. */
async function showCode(page: Page, name?: string): Promise<string> {
  if (name) await page.getByLabel("Username or email").fill(name);
  await page.getByTestId("other-ways").getByText("Other ways to sign in").click();
  await page.getByRole("button", { name: "Sign in with your phone (already signed in there)" }).click();
  const panel = page.getByTestId("qr-panel");
  await expect(panel.getByRole("img", { name: /^QR code for http/ })).toBeVisible();
  await expect(panel.getByRole("status")).toHaveText(/Waiting for your approval there/);
  const url = (await panel.getByTestId("qr-url").textContent())!;
  expect(url).toMatch(/\/q\/[0-9a-hjkmnp-tv-z]{12}$/);
  return url;
}

test("a phone signed in with the account's passkey approves with user verification, and the desktop signs itself in as that passkey would", async ({ page, browser, authenticator }) => {
  test.setTimeout(120_000);
  const owner = newPerson("qr");
  await signUpWithPasskey(page, owner);
  const asker = await desktop(browser);
  const url = await showCode(asker);

  await page.goto(url);
  await expect(page.getByRole("heading", { name: "Approve a sign-in?" })).toBeVisible();
  await expect(page.getByText(/asked to sign in to your account/)).toContainText(/^Chrome on \w+ asked to sign in to your account just now/);

  // No user verification (the prompt cancelled, say): refused, nothing approved, and it can be tried again.
  await authenticator.setUserVerified(false);
  await page.getByRole("button", { name: "Approve with your passkey" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "No passkey was used" })).toBeVisible();
  await expect(asker.getByTestId("qr-panel").getByRole("status")).toHaveText(/Waiting for your approval there/);

  await authenticator.setUserVerified(true);
  await page.getByRole("button", { name: "Approve with your passkey" }).click();
  await expect(page.getByText("Approved. The other device is signing in now")).toBeVisible();

  // The desktop moves on by itself: a passkey sign-in, so no hold.
  await expect(asker).toHaveURL(/\/account$/, { timeout: 30_000 });
  await expect(asker.getByTestId("account-username")).toHaveText(owner.username);
  await expect(asker.getByText("Signed in with a passkey.")).toBeVisible();
  await expect(asker.getByTestId("hold-notice")).toHaveCount(0);
  // A browser the account hasn't used: the alert goes out.
  await readNewestMail(page.context(), owner.email, { subject: "New sign-in to Passwordless" });

  // The same code again: refused, with a page that says so.
  await page.goto(url);
  await expect(page.getByRole("heading", { name: "This code no longer works" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Approve with your passkey" })).toHaveCount(0);
});

test("a phone signed in to another account is told only 'not this account'; a signed-out visit to the link changes nothing", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const owner = newPerson("qrowner");
  const other = newPerson("qrother");
  await signUpWithPasskey(page, other);
  const asker = await desktop(browser);
  const url = await showCode(asker, owner.username);

  await page.goto(url);
  await expect(page.getByRole("heading", { name: "Not this account" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Approve with your passkey" })).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText("asked to sign in to your account");

  // A signed-out browser (a scanner, a link preview) sees a sign-in prompt and nothing about the request.
  const scanner = await browser.newContext();
  const visit = await scanner.newPage();
  await visit.goto(url);
  await expect(visit.getByRole("link", { name: "Sign in on this device" })).toHaveAttribute("href", `/login?next=${encodeURIComponent(new URL(url).pathname)}`);
  await expect(visit.locator("body")).not.toContainText(owner.username);
  await expect(visit.locator("body")).not.toContainText("asked to sign in to your account");
  await scanner.close();

  await expect(asker.getByTestId("qr-panel").getByRole("status")).toHaveText(/Waiting for your approval there/);
  await expect(asker).toHaveURL(/\/login$/);
});

test("'Not me' on the phone turns the request down, and the desktop says so", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const owner = newPerson("qrnotme");
  await signUpWithPasskey(page, owner);
  const asker = await desktop(browser);
  const url = await showCode(asker);

  await page.goto(url);
  await page.getByRole("button", { name: "Not me: turn it down" }).click();
  await expect(page.getByText("Turned down. Nobody was signed in, and the other device says so.")).toBeVisible();
  await expect(asker.getByTestId("qr-panel").getByRole("status")).toHaveText("That sign-in was turned down on the other device. Show a new code to try again.", { timeout: 15_000 });
  await expect(asker.getByTestId("qr-url")).toHaveCount(0);
  // The code is spent: the phone can no longer approve it.
  await page.goto(url);
  await expect(page.getByRole("heading", { name: "This code no longer works" })).toBeVisible();
  await asker.goto("/account");
  await expect(asker).toHaveURL(/\/login/);
});
