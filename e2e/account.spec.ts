import { addVirtualAuthenticator, countMail, expect, newPerson, readNewestMail, test } from "./fixtures";
import { signInByEmailElsewhere, signOut, signUpWithPasskey } from "./flows";

test("rename and remove passkeys; a removed passkey no longer signs in", async ({ page, authenticator }) => {
  const person = newPerson("keys");
  await signUpWithPasskey(page, person);
  const item = page.getByTestId("passkey");
  await expect(item).toHaveCount(1);
  await expect(item).toContainText("Used for this session");
  await expect(item).toContainText("This device only");

  await page.getByRole("button", { name: /^Rename / }).click();
  await page.getByLabel(/New name for/).fill("Work laptop");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByTestId("passkey-name")).toHaveText("Work laptop");
  await expect(page.getByTestId("activity").first()).toContainText("Passkey renamed");

  // An empty name is refused with a message; the name stays.
  await page.getByRole("button", { name: /^Rename / }).click();
  await page.getByLabel(/New name for/).fill("   ");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Give the passkey a name.")).toBeVisible();
  await page.getByRole("button", { name: "Cancel" }).click();

  const [saved] = await authenticator.credentials();
  const before = await countMail(page.context(), person.email);
  await page.getByRole("button", { name: "Remove Work laptop" }).click();
  await expect(page.getByText("This is your last passkey.")).toBeVisible();
  await page.getByRole("button", { name: "Remove passkey" }).click();
  await expect(page.getByTestId("passkey")).toHaveCount(0);
  await expect(page.getByTestId("account-passkeys")).toHaveText("0");
  const notice = await readNewestMail(page.context(), person.email, { after: before });
  expect(notice.subject).toBe("A passkey was removed from your account");
  // signalAllAcceptedCredentials told the passkey manager, which dropped the passkey.
  await expect.poll(() => authenticator.credentials()).toHaveLength(0);

  // A manager that kept it anyway: the server refuses it as unknown, and the browser is told
  // again (signalUnknownCredential), so it disappears.
  await authenticator.addCredential(saved!);
  await signOut(page);
  await page.context().clearCookies({ name: "remember" });
  await page.goto("/login");
  await expect(page.getByText("This passkey isn't registered here anymore.")).toBeVisible();
  await expect.poll(() => authenticator.credentials()).toHaveLength(0);
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login/);
});

test("signed-in devices: this device marked; sign out everywhere else signs out the other browser", async ({ page, browser }) => {
  const person = newPerson("devices");
  await signUpWithPasskey(page, person);

  const { context: other, page: otherPage } = await signInByEmailElsewhere(browser, person.email, person.email);

  await page.reload();
  await expect(page.getByTestId("device")).toHaveCount(2);
  await expect(page.getByTestId("device").filter({ hasText: "This device" })).toContainText("Passkey");
  await expect(page.getByTestId("device").filter({ hasNotText: "This device" })).toContainText("Email link or code");
  await page.getByRole("button", { name: "Sign out everywhere else" }).click();
  await expect(page.getByTestId("device")).toHaveCount(1);
  await expect(page.getByTestId("activity").first()).toContainText("Signed out everywhere else (1 device)");

  await otherPage.goto("/account");
  await expect(otherPage).toHaveURL(/\/login/);
  await other.close();
});

test("change email: the new address is proven first, the old one is told", async ({ page }) => {
  const person = newPerson("move");
  await signUpWithPasskey(page, person);
  const newEmail = `moved.${person.email}`;

  await page.getByLabel("New email address").fill(person.email.toUpperCase());
  await page.getByRole("button", { name: "Change email" }).click();
  await expect(page.getByText("That's already your email address.")).toBeVisible();

  await page.getByLabel("New email address").fill(newEmail);
  await page.getByRole("button", { name: "Change email" }).click();
  await expect(page.getByText(`We sent a code and a link to ${newEmail}`)).toBeVisible();
  await expect(page.getByTestId("account-email")).toHaveText(person.email); // nothing changes yet

  const before = await countMail(page.context(), person.email);
  const mail = await readNewestMail(page.context(), newEmail);
  expect(mail.subject).toBe("Confirm your new email for Passwordless");
  await page.getByLabel("Code sent to the new address").fill(mail.code!);
  await page.getByRole("button", { name: "Confirm new email" }).click();
  await expect(page.getByText("Your email address was changed.")).toBeVisible();
  await expect(page.getByTestId("account-email")).toHaveText(newEmail);
  const notice = await readNewestMail(page.context(), person.email, { after: before });
  expect(notice.subject).toBe("Your email address was changed");
  expect(notice.text).toContain(newEmail);
});

test("change your name: saved and shown", async ({ page }) => {
  const person = newPerson("rename");
  await signUpWithPasskey(page, person);
  await page.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByText("Name saved.")).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("account-name")).toHaveText("Ada Lovelace");
});

test("confirm it's you with a passkey", async ({ page }) => {
  await signUpWithPasskey(page, newPerson("confirm"));
  await page.goto("/account/confirm");
  await page.getByRole("button", { name: "Confirm with a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("activity").first()).toContainText("Confirmed it was you with a passkey");
});

test("delete the account: every cookie of it stops working, and the username is free again", async ({ page, browser }) => {
  const person = newPerson("gone");
  await signUpWithPasskey(page, person);
  const copied = await page.context().cookies();

  await page.getByLabel(`Type "delete ${person.username}" to confirm`).fill("delete someone-else");
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page.getByText(`Type "delete ${person.username}" to confirm.`)).toBeVisible();

  await page.getByLabel(`Type "delete ${person.username}" to confirm`).fill(`delete ${person.username}`);
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page.getByText("Your account was deleted. Thanks for trying Passwordless.")).toBeVisible();
  const notice = await readNewestMail(page.context(), person.email);
  expect(notice.subject).toBe("Your account was deleted");

  const thief = await browser.newContext();
  await thief.addCookies(copied);
  const thiefPage = await thief.newPage();
  await thiefPage.goto("/account");
  await expect(thiefPage).toHaveURL(/\/login/);
  await thief.close();

  const again = await browser.newContext();
  const againPage = await again.newPage();
  await addVirtualAuthenticator(againPage);
  await signUpWithPasskey(againPage, person);
  await again.close();
});
