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
  // This tab misses the other tab's news (a frozen tab, a browser without BroadcastChannel), so it
  // still shows the code field when the code is typed.
  await page.addInitScript(() => {
    (window as { BroadcastChannel?: unknown }).BroadcastChannel = undefined;
    const add = document.addEventListener.bind(document);
    document.addEventListener = ((type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions) => {
      if (type !== "visibilitychange") add(type, listener, options);
    }) as typeof document.addEventListener;
  });
  const mail = await startSignup(page, newPerson("tabs2"));
  const tab = await page.context().newPage();
  await tab.goto(mail.links.find((l) => l.includes("/signup/verify?token="))!);
  await tab.getByRole("button", { name: "Confirm email" }).click();
  await expect(tab.getByRole("heading", { name: "Create a passkey" })).toBeVisible();
  await tab.close();
  await expect(page.getByLabel("Code from the email")).toBeVisible();
  await enterCode(page, mail.code!);
  await expect(page.getByRole("heading", { name: "Create a passkey" })).toBeVisible();
  await expect(page.getByText(/expired/i)).toHaveCount(0);
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
