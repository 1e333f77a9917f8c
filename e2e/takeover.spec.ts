import { addVirtualAuthenticator, countMail, expect, newPerson, readNewestMail, test } from "./fixtures";
import { enterCode, expectSignedOut, requestEmailSignIn, signInByEmail, signUpWithPasskey, startSignup } from "./flows";
import type { BrowserContext, Page } from "@playwright/test";

/** The "This wasn't me" link of the newest mail to `email`, once it is a new sign-in alert. */
async function newestAlertLink(context: BrowserContext, email: string): Promise<string> {
  return (await readNewestMail(context, email, { subject: "New sign-in to Passwordless" })).links.find((l) => new URL(l).pathname === "/not-me")!;
}

/** Gives `page` an authenticator of its own and adds a passkey there from the account page. */
async function addPasskeyHere(page: Page, expectedCount: number): Promise<void> {
  await addVirtualAuthenticator(page);
  await page.reload();
  await page.getByRole("button", { name: "Add a passkey on this device" }).last().click();
  await expect(page.getByTestId("passkey")).toHaveCount(expectedCount);
}

/** A stolen inbox is not a stolen account: sign-in alerts, the hold after an email sign-in, passkey-only mode. */

test("someone reading the owner's mail signs in; the alert's 'This wasn't me' signs them out", { tag: "@services" }, async ({ page, newDevice }) => {
  test.setTimeout(120_000);
  const owner = newPerson("owner");
  await signUpWithPasskey(page, owner);

  // The attacker asks for a code in a browser of their own and reads it from the mailbox.
  const attacker = await signInByEmail(await newDevice(), owner.username, owner.email);
  await expect(attacker.getByTestId("hold-notice")).toContainText("This device signed in by email");

  // Mailed after the response: wait for it.
  const alert = await readNewestMail(page.context(), owner.email, { subject: "New sign-in to Passwordless" });
  expect(alert.text).toContain("with a link or code sent to this address");
  const notMe = alert.links.find((l) => new URL(l).pathname === "/not-me")!;

  // The owner's devices list shows the pending session on hold.
  await page.reload();
  await expect(page.getByTestId("device").filter({ hasText: "On hold" })).toHaveCount(1);

  // Opening the link (a mail scanner, say) changes nothing.
  await page.goto(notMe);
  await expect(page.getByRole("heading", { name: "Sign out a sign-in you don't recognise" })).toBeVisible();
  await attacker.reload();
  await expect(attacker.getByTestId("account-username")).toHaveText(owner.username);

  await page.getByRole("button", { name: "Sign that device out" }).click();
  await expect(page.getByRole("heading", { name: "That sign-in was ended" })).toBeVisible();
  await expectSignedOut(attacker);

  // Once: reopened, the link says so; the owner is still signed in and sees it in the activity.
  await page.goto(notMe);
  await expect(page.getByRole("heading", { name: "This link was already used" })).toBeVisible();
  await page.goto("/account");
  await expect(page.getByTestId("activity").first()).toContainText("Sign-in reported as not you");
  await expect(page.getByTestId("device")).toHaveCount(1);
});

test("an inbox thief can't turn the owner's own alert against them: the owner's passkey stays, and so does the hold", { tag: "@services" }, async ({ page, newDevice }) => {
  test.setTimeout(180_000);
  const owner = newPerson("inbox");
  // Signed up with "Skip for now".
  await enterCode(page, (await startSignup(page, owner)).code!);
  await page.getByRole("button", { name: "Skip for now" }).click();
  await expect(page).toHaveURL(/\/account$/);

  // Later, on a laptop: signed in by email (an alert is mailed), and a passkey added there.
  const laptop = await signInByEmail(await newDevice(), owner.username, owner.email);
  const laptopAlert = await newestAlertLink(laptop.context(), owner.email);
  await addPasskeyHere(laptop, 1);

  // A thief reading the inbox signs in by email: held, as designed.
  const thief = await signInByEmail(await newDevice(), owner.username, owner.email);
  const thiefAlert = await newestAlertLink(thief.context(), owner.email);
  await expect(thief.getByTestId("hold-notice")).toBeVisible();

  // The thief presses the owner's older alert: the laptop is signed out, its passkey stays.
  await thief.goto(laptopAlert);
  await expect(thief.getByTestId("report-kept-note")).toContainText("needs a browser signed in with a passkey you had before that sign-in");
  const before = await countMail(thief.context(), owner.email);
  await thief.getByRole("button", { name: "Sign that device out" }).click();
  await expect(thief.getByRole("heading", { name: "That sign-in was ended" })).toBeVisible();
  await expect(thief.getByText("passkey stays on the account")).toBeVisible();
  const notice = await readNewestMail(thief.context(), owner.email, { after: before });
  expect(notice.subject).toBe("A sign-in to your account was ended");
  expect(notice.text).toContain("was kept: only a browser signed in with a passkey you had before that sign-in can remove it");
  await expectSignedOut(laptop);
  // Pressed again, from the same link: nothing more, and the page says why.
  await thief.goto(laptopAlert);
  await expect(thief.getByRole("heading", { name: "Remove the passkeys that sign-in added" })).toBeVisible();
  await expect(thief.getByRole("main").getByRole("button")).toHaveCount(0);

  // The account kept its passkey: the thief is still held (no email change, no deletion), and so is their next email sign-in.
  await thief.goto("/account");
  await expect(thief.getByTestId("hold-notice")).toBeVisible();
  await expect(thief.getByTestId("passkey")).toHaveCount(1);
  await expect(thief.getByLabel("New email address")).toHaveCount(0);
  await expect(thief.getByRole("button", { name: "Delete my account" })).toHaveCount(0);
  const again = await signInByEmail(await newDevice(), owner.username, owner.email);
  await expect(again.getByTestId("hold-notice")).toBeVisible();

  // The owner signs back in on the laptop with the passkey, not held, and ends the thief's sign-in.
  await laptop.goto("/login");
  await laptop.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(laptop).toHaveURL(/\/account$/);
  await expect(laptop.getByTestId("hold-notice")).toHaveCount(0);
  await laptop.goto(thiefAlert);
  await laptop.getByRole("button", { name: "Sign that device out" }).click();
  await expect(laptop.getByRole("heading", { name: "That sign-in was ended" })).toBeVisible();
  await expectSignedOut(thief);
});

test("what an intruder's sign-in added goes only when the press comes from a browser an older passkey signed in", async ({ page, newDevice }) => {
  test.setTimeout(180_000);
  const owner = newPerson("vouch");
  await signUpWithPasskey(page, owner);

  // An intruder signs in by email (held) and adds a passkey of their own.
  const intruder = await signInByEmail(await newDevice(), owner.username, owner.email);
  const alert = await newestAlertLink(intruder.context(), owner.email);
  await addPasskeyHere(intruder, 2);

  // Opened in a browser that isn't signed in (a phone's mail app, say), the page says what it can't do there.
  const phone = await newDevice();
  await phone.goto(alert);
  await expect(phone.getByTestId("report-kept-note")).toBeVisible();
  await expect(phone.getByRole("button", { name: "Sign that device out" })).toBeVisible();

  // Opened where the owner's own passkey signed in, it removes it.
  await page.goto(alert);
  await expect(page.getByText("a passkey it added is removed too")).toBeVisible();
  const before = await countMail(page.context(), owner.email);
  await page.getByRole("button", { name: "Sign it out and remove its passkeys" }).click();
  await expect(page.getByRole("heading", { name: "That sign-in was ended" })).toBeVisible();
  const notice = await readNewestMail(page.context(), owner.email, { after: before });
  expect(notice.subject).toBe("Passkeys were removed from your account");
  expect(notice.text).toContain("These passkeys it added were removed:");
  await page.goto("/account");
  await expect(page.getByTestId("passkey")).toHaveCount(1);
  await expectSignedOut(intruder);
});

test("an email sign-in on an account with passkeys is on hold until it confirms with a passkey it already had", async ({ page, newDevice, authenticator }) => {
  test.setTimeout(120_000);
  const owner = newPerson("hold");
  await signUpWithPasskey(page, owner);
  const [credential] = await authenticator.credentials();

  // The owner on a new laptop: signed in by email, the passkey (synced) arrives there too.
  const laptop = await signInByEmail(await newDevice(), owner.username, owner.email);
  await (await addVirtualAuthenticator(laptop)).addCredential(credential!);
  await laptop.reload();
  await expect(laptop.getByTestId("hold-notice")).toBeVisible();
  // No removing, no email change, no deletion from here: each asks for a confirmation first.
  await expect(laptop.getByRole("button", { name: /^Remove / })).toHaveCount(0);
  await expect(laptop.getByRole("button", { name: "Delete my account" })).toHaveCount(0);

  await laptop.getByRole("link", { name: "Confirm with a passkey you already had" }).click();
  await expect(laptop.getByRole("heading", { name: "Confirm it's you" })).toBeVisible();
  await expect(laptop.getByText("Only a passkey you had before signing in on this device lifts its hold.")).toBeVisible();
  await laptop.getByRole("button", { name: "Confirm with a passkey" }).click();
  await expect(laptop).toHaveURL(/\/account(\?|#|$)/);
  await expect(laptop.getByTestId("hold-notice")).toHaveCount(0);
  await expect(laptop.getByTestId("activity").first()).toContainText("Hold lifted");
  await expect(laptop.getByRole("button", { name: /^Remove / })).toHaveCount(1);
});

test("passkey-only mode needs two passkeys; then an email sign-in is answered as for an unknown name and mails nothing", async ({ page, newDevice, authenticator }) => {
  test.setTimeout(120_000);
  const owner = newPerson("only");
  await signUpWithPasskey(page, owner);
  const emailSignIn = page.getByRole("switch", { name: /^Sign-in by email/ });
  await expect(emailSignIn).toHaveAccessibleName("Sign-in by email: allowed");
  await expect(emailSignIn).toHaveAttribute("aria-checked", "true");
  await expect(page.getByTestId("passkey-only-status")).toContainText("Sign-in by email: allowed");
  await expect(page.getByText("Add one more passkey first")).toBeVisible();
  await expect(emailSignIn).toBeDisabled();
  // The resilience check: one passkey on one authenticator is one thing to lose.
  await expect(page.getByTestId("passkey-resilience")).toHaveText(/^Your only passkey is on one device or security key\./);

  // A second passkey, on a second authenticator (a security key, say).
  await authenticator.remove();
  await addVirtualAuthenticator(page);
  await page.getByRole("button", { name: "Add a passkey on this device" }).last().click();
  await expect(page.getByTestId("passkey")).toHaveCount(2);

  // Two authenticators: no longer one thing to lose, so the check says nothing.
  await expect(page.getByTestId("passkey-resilience")).toHaveCount(0);

  await emailSignIn.click();
  await expect(page.getByTestId("passkey-only-status")).toContainText("Sign-in by email: off");
  await expect(page.getByTestId("passkey-only-status")).toContainText("Links and codes are not sent; only your passkeys sign in.");
  await expect(emailSignIn).toHaveAccessibleName("Sign-in by email: off");
  await expect(emailSignIn).toHaveAttribute("aria-checked", "false");
  await readNewestMail(page.context(), owner.email, { subject: "Passkey-only sign-in is on" });

  // Elsewhere, asking for a sign-in email looks exactly like asking for a name with no account.
  const there = await newDevice();
  const before = await countMail(there.context(), owner.email);
  // Both answered with the same page (requestEmailSignIn checks its heading and "If an account
  // exists for …"); only the owner's name is echoed, as typed.
  await requestEmailSignIn(there, owner.username);
  await expect(there.getByText(`If an account exists for ${owner.username}`)).toBeVisible();
  const nobody = await newDevice();
  await requestEmailSignIn(nobody, `nobody_${owner.username}`);
  await expect(nobody.getByText(`If an account exists for nobody_${owner.username}`)).toBeVisible();
  // Mail goes out after the response: the owner's next mail (turning email sign-in back on) comes
  // after anything those requests sent, so once it is here, it must be the only new one.
  await emailSignIn.click();
  await expect(emailSignIn).toHaveAttribute("aria-checked", "true");
  await readNewestMail(page.context(), owner.email, { subject: "Passkey-only sign-in is off" });
  expect(await countMail(there.context(), owner.email)).toBe(before + 1);
});
