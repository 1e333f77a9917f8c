import type { Page } from "@playwright/test";
import { expect, newPerson, test } from "./fixtures";
import { startSignup } from "./flows";

/** Counts the action posts that carry `code`: how often the form was sent with it. */
function countPostsWith(page: Page, code: string): () => number {
  let posts = 0;
  page.on("request", (r) => {
    if (r.method() === "POST" && (r.postData() ?? "").includes(code)) posts++;
  });
  return () => posts;
}

const wrongFor = (code: string) => (code === "000000" ? "111111" : "000000");

test("the code field is one input that autofill, screen readers and the form see", async ({ page }) => {
  const person = newPerson("slots");
  await startSignup(page, person);
  const field = page.getByLabel("Code from the email");
  await expect(field).toHaveAttribute("name", "code");
  await expect(field).toHaveAttribute("inputmode", "numeric");
  await expect(field).toHaveAttribute("autocomplete", "one-time-code");
  await expect(field).toHaveAttribute("maxlength", "6");
  await expect(field).toHaveAttribute("pattern", "[0-9]{6}");
  await expect(page.getByRole("textbox")).toHaveCount(1);

  // Tab to it: the focus is visible.
  await page.getByRole("button", { name: "Verify" }).focus();
  await page.keyboard.press("Shift+Tab");
  await expect(field).toBeFocused();
  expect(await field.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe("none");

  // Only digits go in, and the slots show them.
  await page.keyboard.type("1a2 3");
  await expect(field).toHaveValue("123");
  await expect(page.getByTestId("code-slots")).toHaveText("123");
  await page.keyboard.press("Backspace");
  await expect(field).toHaveValue("12");
  await expect(page.getByTestId("code-slots")).toHaveText("12");
});

test("typing the sixth digit submits the code once, Enter or not; the field empties for another try", async ({ page }) => {
  const person = newPerson("typed");
  const mail = await startSignup(page, person);
  const wrong = wrongFor(mail.code!);
  const posts = countPostsWith(page, wrong);
  await page.getByLabel("Code from the email").click();
  await page.keyboard.type(wrong);
  // Out of habit: Enter right after the last digit must not send the code a second time.
  await page.keyboard.press("Enter");
  await expect(page.getByText("That code isn't right. Check the email and try again. 4 tries left.")).toBeVisible();
  await expect(page.getByLabel("Code from the email")).toHaveValue("");
  await expect(page.getByTestId("code-slots")).toHaveText("");

  await page.getByLabel("Code from the email").pressSequentially(mail.code!);
  await expect(page.getByRole("heading", { name: "Create a passkey" })).toBeVisible();
  // A second send of the wrong code would have gone before the right one was answered.
  expect(posts()).toBe(1);
});

test("a pasted code, spaced or dashed as in the email, fills every slot and submits", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const person = newPerson("pasted");
  const mail = await startSignup(page, person);
  const code = mail.code!;
  const wrong = wrongFor(code);
  const field = page.getByLabel("Code from the email");

  await field.click();
  await page.evaluate((text) => navigator.clipboard.writeText(text), `${wrong.slice(0, 3)}-${wrong.slice(3)}`);
  await page.keyboard.press("ControlOrMeta+V");
  await expect(page.getByText("That code isn't right. Check the email and try again. 4 tries left.")).toBeVisible();

  await field.click();
  await page.evaluate((text) => navigator.clipboard.writeText(text), `Your code is ${code.slice(0, 3)} ${code.slice(3)}.`);
  await page.keyboard.press("ControlOrMeta+V");
  await expect(page.getByRole("heading", { name: "Create a passkey" })).toBeVisible();
});

test("without JavaScript the code field is a plain text box that the form posts as before", async ({ browser, page }) => {
  const person = newPerson("nojs");
  const mail = await startSignup(page, person);
  const context = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  const plain = await context.newPage();
  await plain.goto("/signup");
  const field = plain.getByLabel("Code from the email");
  await expect(field).toBeVisible();
  await expect(plain.getByTestId("code-slots")).toHaveCount(0);
  expect(await field.evaluate((el) => getComputedStyle(el).color)).not.toBe("rgba(0, 0, 0, 0)");
  // Part of a code: the browser itself refuses to send it.
  await field.fill(mail.code!.slice(0, 4));
  expect(await field.evaluate((el: HTMLInputElement) => el.validity.valid)).toBe(false);
  await field.fill(mail.code!);
  expect(await field.evaluate((el: HTMLInputElement) => el.validity.valid)).toBe(true);
  const posted = plain.waitForRequest((r) => r.method() === "POST");
  await plain.getByRole("button", { name: "Verify" }).click();
  expect((await posted).postData()).toContain(`name="code"\r\n\r\n${mail.code}\r\n`);
  // The server takes it (a form with bound state passes the proxy's body check) and moves on.
  await expect(plain.getByRole("heading", { name: "Create a passkey" })).toBeVisible();
  await context.close();
});
