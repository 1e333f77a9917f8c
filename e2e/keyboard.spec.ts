import type { Page } from "@playwright/test";
import { expect, newPerson, readNewestMail, test } from "./fixtures";

/** Presses Tab until `name`d control has focus (bounded), as a keyboard user would. */
async function tabTo(page: Page, role: "button" | "textbox" | "link", name: string | RegExp) {
  const target = page.getByRole(role, { name });
  for (let i = 0; i < 30; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`could not reach ${role} "${name}" with Tab`);
}

test("sign up and sign in with the keyboard alone", async ({ page }) => {
  const person = newPerson("keys");
  await page.goto("/");
  await tabTo(page, "link", "Create an account");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Create an account" })).toBeVisible();

  await tabTo(page, "textbox", "Username");
  await page.keyboard.type(person.username);
  await page.keyboard.press("Tab");
  await page.keyboard.type(person.email);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();

  const mail = await readNewestMail(page.context(), person.email);
  await tabTo(page, "textbox", "Code from the email");
  await page.keyboard.type(mail.code!);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Create a passkey" })).toBeVisible();

  await tabTo(page, "button", "Create a passkey");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/account$/);

  // From the top of the page, as after arriving: the header's "Sign out" comes early.
  await page.reload();
  await tabTo(page, "button", /^Sign out$/);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/$/);

  await page.goto("/login");
  await tabTo(page, "button", "Sign in with a passkey");
  // The focus ring is visible on the focused control.
  const outline = await page.getByRole("button", { name: "Sign in with a passkey" }).evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe("none");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/account$/);
});
