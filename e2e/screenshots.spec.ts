import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, newPerson, readNewestMail, test } from "./fixtures";
import { enterCode, signUpWithPasskey, startSignup } from "./flows";
import { target } from "./target";

/** 360 px: the narrowest phone people use (nothing may overflow); 390 px: a common phone; 1280 px: a laptop. */
const WIDTHS = [360, 390, 1280];
const SCHEMES = ["light", "dark"] as const;
const ACCOUNT_SECTIONS = ["profile", "passkeys", "passkey-only", "devices", "activity", "delete"];
/**
 * The pictures are for people to look at; CI keeps the checks (axe, no sideways overflow at each
 * width) and skips writing some 300 full-page images, most of this spec's time on two cores.
 */
const PICTURES = !process.env.CI || process.env.SCREENSHOTS === "1";

/**
 * Checks a page as people meet it: no axe violations (WCAG 2.1 A and AA) in either theme, nothing
 * overflowing sideways at any of the widths, and screenshots at phone and desktop widths to look at
 * (not under CI unless SCREENSHOTS=1).
 * `sections`: also a picture of each of these elements (by id) alone, at 390 px and 1280 px.
 */
async function shoot(page: Page, name: string, sections: string[] = []) {
  for (const colorScheme of SCHEMES) {
    // Reduced motion: no colour transitions, so axe measures settled colours, as people see them.
    await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
    const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    expect(violations.map((v) => `${v.id} (${colorScheme}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), name).toEqual([]);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: { 360: 740, 390: 844 }[width] ?? 800 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${name} overflows at ${width}px`).toBeLessThanOrEqual(0);
      if (!PICTURES) continue;
      await page.screenshot({ path: `screenshots/${name}-${colorScheme}-${width}.png`, fullPage: true });
      if (width === 360) continue;
      for (const id of sections) {
        await page.locator(`#${id}`).screenshot({ path: `screenshots/${name}-${id}-${colorScheme}-${width}.png` });
      }
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
}

test("public pages and the code input: accessible in both themes, fit a phone, screenshots at 360, 390 and 1280 px", async ({ page, browser }) => {
  test.setTimeout(600_000);
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
  await other.close();

  // The code input: half typed (the next slot marked), then a wrong code's message, then the code.
  await page.goto("/signup");
  await page.getByLabel("Code from the email").pressSequentially(mail.code!.slice(0, 3));
  await shoot(page, "signup-code-typing");
  await page.getByLabel("Code from the email").pressSequentially(mail.code!.endsWith("000") ? "111" : "000");
  await expect(page.getByText("That code isn't right.")).toBeVisible();
  await shoot(page, "signup-code-wrong");
  await enterCode(page, mail.code!);
  await expect(page.getByRole("heading", { name: "Create a passkey" })).toBeVisible();
  await shoot(page, "signup-create-passkey");
});

test("the account page and sign-in on a new device: accessible in both themes, fit a phone, screenshots", async ({ page, browser }) => {
  test.setTimeout(600_000);
  const person = newPerson("shot");
  await signUpWithPasskey(page, person);
  await shoot(page, "account-passkey", ACCOUNT_SECTIONS);

  // The account page's states: renaming and removing a passkey, an email change waiting for its code.
  await page.getByRole("button", { name: /^Rename / }).click();
  await shoot(page, "account-passkey-rename", ["passkeys"]);
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("button", { name: /^Remove / }).click();
  await shoot(page, "account-passkey-remove", ["passkeys"]);
  await page.getByRole("button", { name: "Keep it" }).click();
  await page.getByLabel("New email address").fill(`new.${person.email}`);
  await page.getByRole("button", { name: "Change email" }).click();
  await expect(page.getByLabel("Code sent to the new address")).toBeVisible();
  await shoot(page, "account-email-change", ["profile"]);

  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await otherPage.goto("/login");
  await shoot(otherPage, "login");
  await otherPage.getByText("Other ways to sign in").click();
  await shoot(otherPage, "login-other-ways");
  // Scan to sign in: the code on the desktop, the approval on the signed-in "phone".
  await otherPage.getByRole("button", { name: "Sign in with your phone (already signed in there)" }).click();
  await expect(otherPage.getByTestId("qr-url")).toBeVisible();
  await shoot(otherPage, "login-qr");
  await page.goto((await otherPage.getByTestId("qr-url").textContent())!);
  await expect(page.getByRole("heading", { name: "Approve a sign-in?" })).toBeVisible();
  await shoot(page, "q-approve");
  await otherPage.getByLabel("Username or email").fill(person.username);
  await otherPage.getByRole("button", { name: "Continue" }).click();
  await shoot(otherPage, "login-hello");
  await otherPage.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(otherPage.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await shoot(otherPage, "login-check-email");
  const signIn = await readNewestMail(other, person.email);
  const signInLink = signIn.links.find((l) => l.includes("/login/email"))!;
  // The link read on the signed-in phone: approve the waiting tab by its number (not chosen here).
  await page.goto(signInLink);
  await expect(page.getByRole("heading", { name: "Approve this sign-in?" })).toBeVisible();
  await shoot(page, "login-approve-number");
  await otherPage.goto(signInLink);
  await shoot(otherPage, "login-email-link");
  await otherPage.getByRole("button", { name: "Sign in" }).click();
  await expect(otherPage).toHaveURL(/\/account$/);
  // Signed in by email on a second device: the prompt to add a passkey, two devices listed.
  await shoot(otherPage, "account-email", ACCOUNT_SECTIONS);
  // The hold notice's "Why?", opened.
  await otherPage.getByText("Why?").click();
  await shoot(otherPage, "account-email-hold-why");

  await otherPage.goto("/account/confirm");
  await shoot(otherPage, "account-confirm");
  await otherPage.getByRole("button", { name: "Email me a code" }).click();
  await expect(otherPage.getByLabel("Code from the email")).toBeVisible();
  await shoot(otherPage, "account-confirm-code");
  // The outbox exists only when mail is embedded (a 404 page otherwise, shot all the same).
  await otherPage.goto("/dev/outbox");
  await shoot(otherPage, target.mailRecorderUrl ? "dev-outbox-404" : "dev-outbox");
  await other.close();
});
