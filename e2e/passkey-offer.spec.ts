import type { Page } from "@playwright/test";
import { addVirtualAuthenticator, expect, newPerson, test, type VirtualCredential } from "./fixtures";
import { signInByEmail, signOut, signUpWithPasskey } from "./flows";

/**
 * The offer of a passkey on this device (lib/passkey-offer.ts): after a sign-in by email or with a
 * passkey from another device, never after one with this device's own, quietly after a security
 * key, and "Not now" / "Don't ask on this device" remembered. A "usb" virtual authenticator is the
 * other device: CDP can't emulate a phone over hybrid, and what the offer goes by is the same, a
 * cross-platform assertion.
 */
// Long journeys (sign-up, mail, several browsers) on a machine shared with other runs.
test.describe.configure({ timeout: 180_000 });

const offer = (page: Page) => page.getByRole("region", { name: "Sign in faster next time" });
const quietOffer = (page: Page) => page.getByRole("button", { name: "Also create a passkey on this device" });

/** Another device: a context of its own with an empty built-in authenticator, and a roaming one holding `credentials`. */
async function otherDevice(page: Page, credentials: VirtualCredential[]) {
  const builtIn = await addVirtualAuthenticator(page);
  const roaming = await addVirtualAuthenticator(page, "usb");
  for (const credential of credentials) await roaming.addCredential(credential);
  return { page, builtIn };
}

/** Step 1's "Sign in with a passkey" (a discoverable request), whichever authenticator answers. */
async function signInWithPasskey(page: Page) {
  await page.context().clearCookies({ name: "remember" });
  await page.goto("/login");
  // Autofill may answer first (the virtual authenticators answer any request by themselves).
  await page
    .getByRole("button", { name: "Sign in with a passkey" })
    .click({ timeout: 5000 })
    .catch(() => {});
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText("Signed in with a passkey.")).toBeVisible();
}

test("after an email sign-in: offered once; Create makes a passkey here, and a sign-in with it offers nothing", async ({ page: laptop, newDevice }) => {
  const person = newPerson("offermail");
  await signUpWithPasskey(laptop, person);
  // Signed up with this device's own passkey: nothing to offer.
  await expect(offer(laptop)).toHaveCount(0);

  const phone = await newDevice();
  const authenticator = await addVirtualAuthenticator(phone);
  await signInByEmail(phone, person.email);
  await expect(offer(phone)).toContainText("Create a passkey on this device");
  await expect(offer(phone)).toContainText("instead of waiting for an email");
  await offer(phone).getByRole("button", { name: "Create a passkey" }).click();
  await expect(phone.getByTestId("toast").filter({ hasText: "Passkey added" })).toBeVisible();
  await expect(phone.getByTestId("passkey")).toHaveCount(2);
  await expect(offer(phone)).toHaveCount(0);
  expect(await authenticator.credentials()).toHaveLength(1);

  await signOut(phone);
  await signInWithPasskey(phone);
  await expect(offer(phone)).toHaveCount(0);
  // Even by email later (its passkey not unlocked): this device has one of the account's passkeys.
  await signOut(phone);
  await authenticator.setUserVerified(false);
  await signInByEmail(phone, person.email);
  await authenticator.setUserVerified(true);
  await expect(phone.getByTestId("account-username")).toHaveText(person.username);
  await expect(offer(phone)).toHaveCount(0);
});

test("\"Not now\" hides the offer, and the next sign-in on this device within 14 days isn't asked", async ({ page, newDevice }) => {
  const person = newPerson("offerlater");
  await signUpWithPasskey(page, person);
  const device = await newDevice({ authenticator: "internal" });

  await signInByEmail(device, person.email);
  await offer(device).getByRole("button", { name: "Not now" }).click();
  await expect(device.getByTestId("toast").filter({ hasText: "We'll ask again in a couple of weeks at most." })).toBeVisible();
  await expect(offer(device)).toHaveCount(0);
  await device.reload();
  await expect(device.getByTestId("account-username")).toHaveText(person.username);
  await expect(offer(device)).toHaveCount(0);
  await signOut(device);
  await signInByEmail(device, person.email);
  await expect(offer(device)).toHaveCount(0);
});

test("\"Don't ask on this device\" holds on this device, not on others", async ({ page, newDevice }) => {
  const person = newPerson("offernever");
  await signUpWithPasskey(page, person);
  const device = await newDevice({ authenticator: "internal" });

  await signInByEmail(device, person.email);
  await offer(device).getByRole("button", { name: "Don't ask on this device" }).click();
  await expect(device.getByTestId("toast").filter({ hasText: "We won't ask again on this device." })).toBeVisible();
  await expect(offer(device)).toHaveCount(0);
  await signOut(device);
  await signInByEmail(device, person.email);
  await expect(offer(device)).toHaveCount(0);

  // Another device is still asked.
  const third = await signInByEmail(await newDevice({ authenticator: "internal" }), person.email);
  await expect(offer(third)).toBeVisible();
});

test("after a sign-in with a passkey from another device: offered, and Create uses this device's own authenticator", async ({ page: laptop, newDevice, authenticator }) => {
  const person = newPerson("offerhybrid");
  await signUpWithPasskey(laptop, person);
  const device = await otherDevice(await newDevice(), await authenticator.credentials());

  await signInWithPasskey(device.page);
  await expect(offer(device.page)).toContainText("instead of reaching for your other device");
  await offer(device.page).getByRole("button", { name: "Create a passkey" }).click();
  await expect(device.page.getByTestId("passkey")).toHaveCount(2);
  await expect(offer(device.page)).toHaveCount(0);
  expect(await device.builtIn.credentials()).toHaveLength(1);
});

test("a security key (usb) is added with its hint and named so; signing in with it elsewhere offers only a quiet link", async ({ page: laptop, newDevice }) => {
  const person = newPerson("offerkey");
  await signUpWithPasskey(laptop, person);
  const key = await addVirtualAuthenticator(laptop, "usb");
  await laptop.getByRole("button", { name: "Add a security key" }).click();
  await expect(laptop.getByTestId("toast").filter({ hasText: "Passkey added: Security key." })).toBeVisible();
  await expect(laptop.getByTestId("passkey-name")).toHaveCount(2);
  await expect(laptop.getByTestId("passkey-name").nth(1)).toHaveText("Security key");
  // The key made it, not the laptop's own authenticator.
  expect(await key.credentials()).toHaveLength(1);

  const device = await otherDevice(await newDevice(), await key.credentials());
  await signInWithPasskey(device.page);
  await expect(offer(device.page)).toHaveCount(0);
  await expect(device.page.getByText("Signed in with a security key.")).toBeVisible();
  await quietOffer(device.page).click();
  await expect(device.page.getByTestId("passkey")).toHaveCount(3);
  await expect(quietOffer(device.page)).toHaveCount(0);
  expect(await device.builtIn.credentials()).toHaveLength(1);
});

test("the offer follows what the browser says: none where it can't make a passkey here, as before where it says nothing", async ({ page, newDevice }) => {
  const person = newPerson("offercaps");
  await signUpWithPasskey(page, person);

  const cannot = await signInByEmail(await newDevice({ capabilities: { passkeyPlatformAuthenticator: false } }), person.email);
  await expect(cannot.getByTestId("no-platform-passkey")).toBeVisible();
  await expect(offer(cannot)).toHaveCount(0);

  const older = await signInByEmail(await newDevice({ capabilities: null, authenticator: "internal" }), person.email);
  await expect(offer(older)).toBeVisible();
});
