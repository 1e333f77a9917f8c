import { addVirtualAuthenticator, countMail, expect, newPerson, readNewestMail, test } from "./fixtures";
import { changeEmail, enterCode, expectSignedOut, requestEmailSignIn, signInByEmail, signOut, signUpWithPasskey } from "./flows";

test("rename and remove passkeys; a removed passkey no longer signs in", async ({ page, authenticator }) => {
  const person = newPerson("keys");
  await signUpWithPasskey(page, person);
  const item = page.getByTestId("passkey");
  await expect(item).toHaveCount(1);
  await expect(item).toContainText("Signed in with this");
  await expect(item).toContainText("Not synced: kept on one device or key");

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
  await expect(page.getByText("This passkey isn't registered here anymore")).toBeVisible();
  await expect.poll(() => authenticator.credentials()).toHaveLength(0);
  await expectSignedOut(page);
});

test("signed-in devices: this device marked; sign out everywhere else signs out the other browser", async ({ page, newDevice }) => {
  const person = newPerson("devices");
  await signUpWithPasskey(page, person);
  const other = await signInByEmail(await newDevice(), person.email);

  await page.reload();
  await expect(page.getByTestId("device")).toHaveCount(2);
  await expect(page.getByTestId("device").filter({ hasText: "This device" })).toContainText("Passkey");
  await expect(page.getByTestId("device").filter({ hasNotText: "This device" })).toContainText("Email link or code");
  await page.getByRole("button", { name: "Sign out everywhere else" }).click();
  await expect(page.getByTestId("device")).toHaveCount(1);
  await expect(page.getByTestId("activity").first()).toContainText("Signed out everywhere else (1 device)");
  await expectSignedOut(other);
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
  expect(mail.subject).toBe(`${mail.code} is your Passwordless code`);
  await enterCode(page, mail.code!, "Code sent to the new address");
  await expect(page.getByText(`Your email address is now ${newEmail}.`)).toBeVisible();
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
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Ada Lovelace");
});

test("confirm it's you with a passkey", async ({ page }) => {
  await signUpWithPasskey(page, newPerson("confirm"));
  await page.goto("/account/confirm");
  await page.getByRole("button", { name: "Confirm with a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("activity").first()).toContainText("Confirmed it was you with a passkey");
});

test("delete the account: every cookie of it stops working, and the username is free again", async ({ page, newDevice }) => {
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

  const thief = await newDevice();
  await thief.context().addCookies(copied);
  await expectSignedOut(thief);
  await signUpWithPasskey(await newDevice({ authenticator: "internal" }), person);
});

test("confirm it's you by email: its own mail, a code field that survives a reload, and a link that works", async ({ page }) => {
  const person = newPerson("reauth");
  await signUpWithPasskey(page, person);
  await page.goto("/account/confirm");
  const before = await countMail(page.context(), person.email);
  await page.getByRole("button", { name: "Email me a code" }).click();
  const mail = await readNewestMail(page.context(), person.email, { after: before });
  expect(mail.subject).toBe(`${mail.code} is your Passwordless code`);
  await page.reload();
  await expect(page.getByLabel("Code from the email")).toBeVisible();

  // The link, opened in this browser (a new tab, as mail apps do).
  const link = mail.links.find((l) => l.includes("/account/confirm/email?token="))!;
  const tab = await page.context().newPage();
  await tab.goto(link);
  await expect(tab.getByRole("heading", { name: "Confirm it's you" })).toBeVisible();
  await tab.getByRole("button", { name: "Confirm it's me" }).click();
  await expect(tab).toHaveURL(/\/account\?notice=confirmed$/);
  await expect(tab.getByTestId("activity").first()).toContainText("Confirmed it was you with an emailed code");
  // Reopened: it says so.
  await tab.goto(link);
  await expect(tab.getByRole("heading", { name: "You've confirmed it's you" })).toBeVisible();
});

test("after an email change: the old address's codes stop working, other devices can be signed out, and the old address can undo it all", async ({ page, newDevice }) => {
  test.setTimeout(180_000);
  const person = newPerson("undo");
  await signUpWithPasskey(page, person);
  // A second browser signed in by a code mailed to the (old) address, and a code still pending there.
  const other = await signInByEmail(await newDevice(), person.email);
  const pending = await newDevice();
  await requestEmailSignIn(pending, person.email);
  const staleCode = (await readNewestMail(pending.context(), person.email)).code!;

  await page.reload();
  const newEmail = `undo.${person.email}`;
  const before = await countMail(page.context(), person.email);
  await changeEmail(page, newEmail);

  // The code mailed to the old address no longer signs in.
  await enterCode(pending, staleCode);
  await expect(pending.getByText("That sign-in request has expired or was already used.")).toBeVisible();

  // Offered right away: sign out the other devices.
  await page.getByRole("button", { name: "Sign out other devices" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Signed out 1 other device." })).toBeVisible();
  await expectSignedOut(other);

  // "This wasn't me" from the old address, opened anywhere: the address comes back, every device the
  // account's own passkey doesn't vouch for is signed out.
  const notice = await readNewestMail(page.context(), person.email, { after: before });
  const undo = notice.links.find((l) => l.includes("/recover?"))!;
  const undoPage = await newDevice();
  await undoPage.goto(undo);
  await expect(undoPage.getByRole("heading", { name: "Undo the email change" })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("account-email")).toHaveText(newEmail); // opening it changed nothing
  await undoPage.getByRole("button", { name: "Put my address back" }).click();
  await expect(undoPage.getByRole("heading", { name: "Your address is back" })).toBeVisible();
  // Reopened, it names its case like every other link page.
  await undoPage.goto(undo);
  await expect(undoPage.getByRole("heading", { name: "This link was already used" })).toBeVisible();
  // This device signed in with the passkey the account had before the change: it stays.
  await page.goto("/account");
  await expect(page.getByTestId("account-email")).toHaveText(person.email);
  await expect(page.getByTestId("pending-revert")).toHaveCount(0);
});

test("'I made this change': a change made with a passkey can be kept, and the old address's undo link stops working", async ({ page }) => {
  test.setTimeout(120_000);
  const person = newPerson("keep");
  await signUpWithPasskey(page, person);
  const newEmail = `kept.${person.email}`;
  const before = await countMail(page.context(), person.email);
  await changeEmail(page, newEmail);
  const undo = (await readNewestMail(page.context(), person.email, { after: before })).links.find((l) => l.includes("/recover?"))!;

  const pending = page.getByTestId("pending-revert");
  await expect(pending).toContainText(`Your old address ${person.email} can undo this change until`);
  await pending.getByRole("button", { name: "I made this change" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: `${person.email} can no longer undo the change.` })).toBeVisible();
  await expect(pending).toHaveCount(0);
  await readNewestMail(page.context(), newEmail, { subject: "Your old address can no longer undo the change" });

  // Whoever holds the old inbox now finds a dead link that says why, and the account keeps its new address.
  await page.goto(undo);
  await expect(page.getByRole("heading", { name: "This change was kept" })).toBeVisible();
  await page.goto("/account");
  await expect(page.getByTestId("account-email")).toHaveText(newEmail);
  await expect(page.getByTestId("activity").first()).toContainText(`Kept the email change: ${person.email} can no longer undo it`);
});

test("removing a passkey signs out the devices that signed in with it; every action says it's done", async ({ page, newDevice, authenticator }) => {
  test.setTimeout(180_000);
  const person = newPerson("ends");
  await signUpWithPasskey(page, person);
  const [credential] = await authenticator.credentials();
  // Another browser holding the same passkey signs in with it.
  const laptopPage = await newDevice();
  await (await addVirtualAuthenticator(laptopPage)).addCredential(credential!);
  // Step 1's passkey autofill: the virtual authenticator answers it by itself.
  await laptopPage.goto("/login");
  await expect(laptopPage).toHaveURL(/\/account$/);

  // Here: rename it, then remove it.
  await page.reload();
  const item = page.getByTestId("passkey");
  await expect(item).toContainText("Signed in with this");
  await item.getByRole("button", { name: /^Rename / }).click();
  await page.getByLabel(/New name for/).fill("Old laptop");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Passkey renamed." })).toBeVisible();
  await page.getByRole("button", { name: "Remove Old laptop" }).click();
  await page.getByRole("button", { name: "Remove passkey" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Passkey removed: Old laptop." })).toBeVisible();
  await expect(page.getByTestId("passkey")).toHaveCount(0);
  await expect(page.getByTestId("activity").first()).toContainText("signed out 1 device that used it");

  await expectSignedOut(laptopPage);
  // This device stays signed in.
  await page.reload();
  await expect(page.getByTestId("account-username")).toHaveText(person.username);
});

test("the section chips fit a 360 px phone: wrapped, none cut off, nothing overflows sideways", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signUpWithPasskey(page, newPerson("chips"));
  const chips = page.getByRole("navigation", { name: "Account sections" }).getByRole("link");
  await expect(chips).toHaveCount(6);
  for (const chip of await chips.all()) {
    const box = (await chip.boundingBox())!;
    expect(box.x, await chip.innerText()).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, await chip.innerText()).toBeLessThanOrEqual(360);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  await chips.filter({ hasText: "Delete account" }).click();
  await expect(page).toHaveURL(/#delete$/);
  await expect(page.getByRole("heading", { name: "Delete account" })).toBeInViewport();
});
