import { addVirtualAuthenticator, countMail, expect, newPerson, readNewestMail, test } from "./fixtures";
import { requestEmailSignIn, signInByEmailElsewhere, signUpWithPasskey } from "./flows";

/** A stolen inbox is not a stolen account: sign-in alerts, the hold after an email sign-in, passkey-only mode. */

test("someone reading the owner's mail signs in; the alert's 'This wasn't me' signs them out", { tag: "@services" }, async ({ page, browser }) => {
  test.setTimeout(120_000);
  const owner = newPerson("owner");
  await signUpWithPasskey(page, owner);

  // The attacker asks for a code in a browser of their own and reads it from the mailbox.
  const attacker = await signInByEmailElsewhere(browser, owner.username, owner.email);
  await expect(attacker.page.getByTestId("hold-notice")).toContainText("This device signed in by email");

  // Mailed after the response: wait for it.
  await expect.poll(async () => (await readNewestMail(page.context(), owner.email)).subject).toBe("New sign-in to Passwordless");
  const alert = await readNewestMail(page.context(), owner.email);
  expect(alert.text).toContain("with a link or code sent to this address");
  const notMe = alert.links.find((l) => new URL(l).pathname === "/not-me")!;

  // The owner's devices list shows the pending session on hold.
  await page.reload();
  await expect(page.getByTestId("device").filter({ hasText: "On hold" })).toHaveCount(1);

  // Opening the link (a mail scanner, say) changes nothing.
  await page.goto(notMe);
  await expect(page.getByRole("heading", { name: "Sign out a sign-in you don't recognise" })).toBeVisible();
  await attacker.page.reload();
  await expect(attacker.page.getByTestId("account-username")).toHaveText(owner.username);

  await page.getByRole("button", { name: "Sign that device out" }).click();
  await expect(page.getByRole("heading", { name: "That sign-in was ended" })).toBeVisible();
  await attacker.page.goto("/account");
  await expect(attacker.page).toHaveURL(/\/login/);

  // Once: reopened, the link says so; the owner is still signed in and sees it in the activity.
  await page.goto(notMe);
  await expect(page.getByRole("heading", { name: "This link can't be used" })).toBeVisible();
  await page.goto("/account");
  await expect(page.getByTestId("activity").first()).toContainText("Sign-in reported as not you");
  await expect(page.getByTestId("device")).toHaveCount(1);
  await attacker.context.close();
});

test("an email sign-in on an account with passkeys is on hold until it confirms with a passkey it already had", async ({ page, browser, authenticator }) => {
  test.setTimeout(120_000);
  const owner = newPerson("hold");
  await signUpWithPasskey(page, owner);
  const [credential] = await authenticator.credentials();

  // The owner on a new laptop: signed in by email, the passkey (synced) arrives there too.
  const laptop = await signInByEmailElsewhere(browser, owner.username, owner.email);
  const laptopAuthenticator = await addVirtualAuthenticator(laptop.page);
  await laptopAuthenticator.addCredential(credential!);
  await laptop.page.reload();
  await expect(laptop.page.getByTestId("hold-notice")).toBeVisible();
  // No removing, no email change, no deletion from here: each asks for a confirmation first.
  await expect(laptop.page.getByRole("button", { name: /^Remove / })).toHaveCount(0);
  await expect(laptop.page.getByRole("button", { name: "Delete my account" })).toHaveCount(0);

  await laptop.page.getByRole("link", { name: "Confirm with a passkey you already had" }).click();
  await expect(laptop.page.getByRole("heading", { name: "Confirm it's you" })).toBeVisible();
  await expect(laptop.page.getByText("Only a passkey you had before signing in on this device lifts its hold.")).toBeVisible();
  await laptop.page.getByRole("button", { name: "Confirm with a passkey" }).click();
  await expect(laptop.page).toHaveURL(/\/account(\?|#|$)/);
  await expect(laptop.page.getByTestId("hold-notice")).toHaveCount(0);
  await expect(laptop.page.getByTestId("activity").first()).toContainText("Hold lifted");
  await expect(laptop.page.getByRole("button", { name: /^Remove / })).toHaveCount(1);
  await laptop.context.close();
});

test("passkey-only mode needs two passkeys; then an email sign-in is answered as for an unknown name and mails nothing", async ({ page, browser, authenticator }) => {
  test.setTimeout(120_000);
  const owner = newPerson("only");
  await signUpWithPasskey(page, owner);
  await expect(page.getByTestId("passkey-only-status")).toContainText("Off");
  await expect(page.getByText("Add one more passkey first")).toBeVisible();

  // A second passkey, on a second authenticator (a security key, say).
  await authenticator.remove();
  await addVirtualAuthenticator(page);
  await page.getByRole("button", { name: "Add a passkey on this device" }).last().click();
  await expect(page.getByTestId("passkey")).toHaveCount(2);

  await page.getByRole("button", { name: "Turn on passkey-only sign-in" }).click();
  await expect(page.getByTestId("passkey-only-status")).toContainText("On: sign-in links and codes are not sent");
  await expect.poll(async () => (await readNewestMail(page.context(), owner.email)).subject).toBe("Passkey-only sign-in is on");

  // Elsewhere, asking for a sign-in email looks exactly like asking for a name with no account.
  const elsewhere = await browser.newContext();
  const there = await elsewhere.newPage();
  const before = await countMail(elsewhere, owner.email);
  // Both answered with the same page (requestEmailSignIn checks its heading and "If an account
  // exists for …"); only the owner's name is echoed, as typed.
  await requestEmailSignIn(there, owner.username);
  await expect(there.getByText(`If an account exists for ${owner.username}`)).toBeVisible();
  const nobody = await browser.newContext();
  const nobodyPage = await nobody.newPage();
  await requestEmailSignIn(nobodyPage, `nobody_${owner.username}`);
  await expect(nobodyPage.getByText(`If an account exists for nobody_${owner.username}`)).toBeVisible();
  await nobody.close();
  await there.waitForTimeout(1000);
  expect(await countMail(elsewhere, owner.email)).toBe(before);
  await elsewhere.close();
});
