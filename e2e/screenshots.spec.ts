import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, newPerson, readNewestMail, test } from "./fixtures";
import { startSignup } from "./flows";
import { target } from "./target";

const WIDTHS = [360, 1280];
const SCHEMES = ["light", "dark"] as const;

/**
 * Checks a page as people meet it: no axe violations (WCAG 2.1 A and AA) in either theme, nothing
 * overflowing sideways on a 360 px phone, and screenshots at phone and desktop widths to look at.
 */
async function shoot(page: Page, name: string) {
  for (const colorScheme of SCHEMES) {
    // Reduced motion: no colour transitions, so axe measures settled colours, as people see them.
    await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
    const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    expect(violations.map((v) => `${v.id} (${colorScheme}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), name).toEqual([]);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width === 360 ? 740 : 800 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${name} overflows at ${width}px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `screenshots/${name}-${colorScheme}-${width}.png`, fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
}

test("every page: accessible in both themes, fits a phone, screenshots at 360 px and 1280 px", async ({ page, browser }) => {
  test.setTimeout(420_000);
  await page.goto("/");
  await shoot(page, "home");
  await page.goto("/does-not-exist");
  await shoot(page, "not-found");

  const person = newPerson("shot");
  await page.goto("/signup");
  await shoot(page, "signup-details");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Choose a username.")).toBeVisible();
  await shoot(page, "signup-details-errors");

  const mail = await startSignup(page, person);
  await shoot(page, "signup-check-email");
  const link = mail.links.find((l) => l.includes("/signup/verify"))!;
  await page.goto(link);
  await shoot(page, "signup-confirm-link");
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await otherPage.goto(link);
  await shoot(otherPage, "signup-link-elsewhere");

  await page.goto("/signup");
  await page.getByLabel("Code from the email").fill(mail.code!);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { name: "Create a passkey" })).toBeVisible();
  await shoot(page, "signup-create-passkey");
  await page.getByRole("button", { name: "Create a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await shoot(page, "account-passkey");

  await otherPage.goto("/login");
  await shoot(otherPage, "login");
  await otherPage.getByLabel("Username or email").fill(person.username);
  await otherPage.getByRole("button", { name: "Continue" }).click();
  await shoot(otherPage, "login-hello");
  await otherPage.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(otherPage.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await shoot(otherPage, "login-check-email");
  const signIn = await readNewestMail(other, person.email);
  await otherPage.goto(signIn.links.find((l) => l.includes("/login/email"))!);
  await shoot(otherPage, "login-email-link");
  await otherPage.getByRole("button", { name: "Sign in" }).click();
  await expect(otherPage).toHaveURL(/\/account$/);
  await shoot(otherPage, "account-email");

  await otherPage.goto("/account/confirm");
  await shoot(otherPage, "account-confirm");
  // The outbox exists only when mail is embedded (a 404 page otherwise, shot all the same).
  await otherPage.goto("/dev/outbox");
  await shoot(otherPage, target.mailRecorderUrl ? "dev-outbox-404" : "dev-outbox");
  await other.close();
});
