import type { Page } from "@playwright/test";
import { expect, newPerson, readNewestMail, test } from "./fixtures";
import { enterCode, enterFiveWrongCodes, requestEmailSignIn, signInByEmail, signOut, signUpWithPasskey, startSignup } from "./flows";

/**
 * Every emailed link says the truth about where it stands, in every state a person can reach:
 * ready, opened in another browser (signed in or not), reopened after use (signed in and signed
 * out), ended by wrong codes, incomplete, and opened while signed in. (Expiry needs a clock: lib/*.test.ts.)
 */
const heading = (page: Page, name: string) => expect(page.getByRole("heading", { name, exact: true })).toBeVisible();

/** Opens `url` in another browser, which sees `name` as its heading. */
async function headingElsewhere(newDevice: () => Promise<Page>, url: string, name: string) {
  const page = await newDevice();
  await page.goto(url);
  await heading(page, name);
}

test("sign-in link: ready, elsewhere, used (signed in, then out), ended, incomplete, and while signed in", async ({ page, newDevice }) => {
  test.setTimeout(180_000);
  const person = newPerson("lnkin");
  await signUpWithPasskey(page, person);

  const device = await newDevice();
  await requestEmailSignIn(device, person.email);
  const link = (await readNewestMail(device.context(), person.email)).links.find((l) => l.includes("/login/email?token="))!;

  // Any other browser, signed in (the first one: the owner's phone, say) or not, is offered to
  // approve this one by its number (e2e/approve.spec.ts); its own session stays as it is.
  await page.goto(link);
  await heading(page, "Approve this sign-in?");
  await expect(page.getByText("Nothing changes in this browser.", { exact: false })).toBeVisible();
  await headingElsewhere(newDevice, link, "Approve this sign-in?");

  await device.goto(link.split("?")[0]!);
  await heading(device, "This link is incomplete");
  await device.goto(link);
  await heading(device, `Sign in as ${person.email}`);
  // Pressed twice (a double click): one sign-in.
  await device.getByRole("button", { name: "Sign in" }).dblclick();
  await expect(device).toHaveURL(/\/account$/);
  await device.goto(link);
  await heading(device, "You're signed in");
  await signOut(device);
  await device.goto(link);
  await heading(device, "This link was already used");

  // Ended by five wrong codes.
  await requestEmailSignIn(device, person.email);
  const mail = await readNewestMail(device.context(), person.email, { after: 1 });
  await enterFiveWrongCodes(device, mail.code!);
  await device.goto(mail.links.find((l) => l.includes("/login/email?token="))!);
  await heading(device, "This link no longer works");
});

test("sign-up link: ready, elsewhere, moved on to the passkey, used, signed in, ended", async ({ page, newDevice }) => {
  test.setTimeout(180_000);
  const person = newPerson("lnkup");
  const mail = await startSignup(page, person);
  const link = mail.links.find((l) => l.includes("/signup/verify?token="))!;
  await headingElsewhere(newDevice, link, "Open this link where you signed up");

  await enterCode(page, mail.code!);
  await heading(page, "Create a passkey");
  await page.goto(link);
  await heading(page, "Your email is confirmed");
  await page.getByRole("link", { name: "Continue" }).click();
  await page.getByRole("button", { name: "Create a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await page.goto(link);
  await heading(page, "You're already signed in");
  await signOut(page);
  await page.goto(link);
  await heading(page, "This link was already used");

  const again = newPerson("lnkup2");
  const second = await startSignup(page, again);
  await enterFiveWrongCodes(page, second.code!);
  await page.goto(second.links.find((l) => l.includes("/signup/verify?token="))!);
  await heading(page, "This link no longer works");
});

test("email-change and confirm-it's-you links: ready, elsewhere, used", async ({ page, newDevice }) => {
  test.setTimeout(180_000);
  const person = newPerson("lnkacct");
  await signUpWithPasskey(page, person);

  const newEmail = `next.${person.email}`;
  await page.getByLabel("New email address").fill(newEmail);
  await page.getByRole("button", { name: "Change email" }).click();
  await expect(page.getByLabel("Code sent to the new address")).toBeVisible();
  const change = (await readNewestMail(page.context(), newEmail)).links.find((l) => l.includes("/account/email?token="))!;
  // Another browser signed in to the same account.
  const otherPage = await signInByEmail(await newDevice(), person.email);
  await otherPage.goto(change);
  await heading(otherPage, "Open this link where you asked for it");
  await page.goto(change);
  await heading(page, "Confirm your new email");
  await page.getByRole("button", { name: "Confirm new email" }).click();
  await expect(page).toHaveURL(/notice=email-changed/);
  await page.goto(change);
  await heading(page, "This link was already used");

  await page.goto("/account/confirm");
  await page.getByRole("button", { name: "Email me a code" }).click();
  await expect(page.getByLabel("Code from the email")).toBeVisible();
  const confirm = (await readNewestMail(page.context(), newEmail, { after: 1 })).links.find((l) => l.includes("/account/confirm/email?token="))!;
  await otherPage.goto(confirm);
  await heading(otherPage, "Open this link where you asked for it");
  await page.goto(confirm);
  await heading(page, "Confirm it's you");
  await page.getByRole("button", { name: "Confirm it's me" }).click();
  await expect(page).toHaveURL(/notice=confirmed/);
  await page.goto(confirm);
  await heading(page, "You've confirmed it's you");
});
