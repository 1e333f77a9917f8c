import { expect, newPerson, readNewestMail, test } from "./fixtures";
import { enterCode, requestEmailSignIn, signUpWithPasskey, startSignup } from "./flows";

/** Mail apps open links in a new tab: the tab left waiting follows, without a reload. */

test("sign-up: the link confirmed in a new tab moves the waiting tab on to the passkey", async ({ page }) => {
  const mail = await startSignup(page, newPerson("tabs"));
  const tab = await page.context().newPage();
  await tab.goto(mail.links.find((l) => l.includes("/signup/verify?token="))!);
  await tab.getByRole("button", { name: "Confirm email" }).click();
  await expect(tab.getByRole("heading", { name: "Create a passkey" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Create a passkey" })).toBeVisible();
  // The code typed in the old tab afterwards moves on too, rather than failing.
  await tab.close();
});

test("sign-up: a code typed after the link was used in another tab moves on, not 'expired'", async ({ page }) => {
  const mail = await startSignup(page, newPerson("tabs2"));
  const tab = await page.context().newPage();
  await tab.goto(mail.links.find((l) => l.includes("/signup/verify?token="))!);
  await tab.getByRole("button", { name: "Confirm email" }).click();
  await expect(tab.getByRole("heading", { name: "Create a passkey" })).toBeVisible();
  await tab.close();
  // The first tab still shows the code field if it missed the message (e.g. it was frozen).
  if (await page.getByLabel("Code from the email").isVisible()) {
    await enterCode(page, mail.code!);
  }
  await expect(page.getByRole("heading", { name: "Create a passkey" })).toBeVisible();
});

test("email sign-in: the link used in a new tab signs the waiting tab in too", async ({ page, browser }) => {
  const person = newPerson("tabsin");
  await signUpWithPasskey(page, person);
  const context = await browser.newContext();
  const waiting = await context.newPage();
  await requestEmailSignIn(waiting, person.email);
  const link = (await readNewestMail(context, person.email)).links.find((l) => l.includes("/login/email?token="))!;
  const tab = await context.newPage();
  await tab.goto(link);
  await tab.getByRole("button", { name: "Sign in" }).click();
  await expect(tab).toHaveURL(/\/account$/);
  await expect(waiting).toHaveURL(/\/account$/);
  await context.close();
});
