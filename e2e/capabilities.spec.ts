import type { Page } from "@playwright/test";
import { addVirtualAuthenticator, appOrigin, countMail, expect, newPerson, readNewestMail, recordWebAuthnCalls, stubClientCapabilities, test } from "./fixtures";
import { enterCode, openLoginWithoutAutofill, signInByEmail, signOut, signUpWithPasskey, startSignup } from "./flows";

/**
 * What the app does with what the browser reports (components/capabilities.ts). Debian's Chromium
 * reports every capability the app reads as true except hybridTransport (no Bluetooth here); each
 * test overrides some with an init script, or removes getClientCapabilities, as older browsers lack it.
 */
// Long journeys (sign-up, mail, several browsers) on a machine shared with other runs.
test.describe.configure({ timeout: 180_000 });

const alert = (page: Page) => page.locator('[role="alert"]:not(#__next-route-announcer__)');

test("autofill starts only where conditional mediation isn't reported missing", async ({ page, newDevice, authenticator }) => {
  const person = newPerson("capsauto");
  await signUpWithPasskey(page, person);
  await signOut(page);

  // conditionalGet: false: no request waits in the username field; the button still works.
  await stubClientCapabilities(page.context(), { conditionalGet: false });
  await page.context().clearCookies({ name: "remember" });
  const calls = await recordWebAuthnCalls(page.context());
  await page.goto("/login");
  await expect(page.getByLabel("Username or email")).toBeVisible();
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
  // The button's request was the only one: none waited in the username field, before or after it.
  expect(calls.filter((call) => call.method === "get" && !call.settled).map((call) => call.mediation)).toEqual(["optional"]);

  // No getClientCapabilities at all: as before, autofill where isConditionalMediationAvailable says so.
  // (The passkey as it is now: a copy with an older signature counter would be refused.)
  const [credential] = await authenticator.credentials();
  const olderPage = await newDevice({ capabilities: null });
  await (await addVirtualAuthenticator(olderPage)).addCredential(credential!);
  await olderPage.goto("/login");
  await expect(olderPage).toHaveURL(/\/account$/);
  await expect(olderPage.getByText("Signed in with a passkey.")).toBeVisible();
});

test("a device that can't make a passkey is told so at sign-up and on the account page, and offered a phone where the browser can reach one", async ({ newDevice }) => {
  // Phone reachable: the passkey is made on it (a roaming authenticator stands in for the phone).
  const page = await newDevice({ capabilities: { userVerifyingPlatformAuthenticator: false, passkeyPlatformAuthenticator: true, hybridTransport: true } });
  const phone = await addVirtualAuthenticator(page, "usb");
  const person = newPerson("capsphone");
  const mail = await startSignup(page, person);
  await enterCode(page, mail.code!);
  await expect(page.getByText("This browser says this device can't make a passkey of its own. Create one on your phone instead")).toBeVisible();
  await page.getByRole("button", { name: "Create a passkey on your phone" }).click();
  await expect(page).toHaveURL(/\/account$/);
  expect(await phone.credentials()).toHaveLength(1);
  // The account page's choices: a phone or a security key first, this device last.
  await expect(page.getByTestId("no-platform-passkey")).toContainText("Add one on your phone");
  await expect(page.getByRole("button", { name: /^Add a / })).toHaveText(["Add a passkey on your phone", "Add a security key", "Add a passkey on this device"]);

  // No phone either: email, plainly.
  const alonePage = await newDevice({ capabilities: { userVerifyingPlatformAuthenticator: false, passkeyPlatformAuthenticator: false, hybridTransport: false } });
  const other = newPerson("capsnone");
  const otherMail = await startSignup(alonePage, other);
  await enterCode(alonePage, otherMail.code!);
  await expect(alonePage.getByText("This browser says this device can't make a passkey of its own. Use a security key or a passkey manager")).toBeVisible();
  await expect(alonePage.getByRole("button", { name: "Create a passkey on your phone" })).toHaveCount(0);
  await alonePage.getByRole("button", { name: "Skip for now" }).click();
  await expect(alonePage).toHaveURL(/\/account$/);
  await expect(alonePage.getByText("Signed in with an email link or code.")).toBeVisible();
  await expect(alonePage.getByRole("button", { name: /^Add a / })).toHaveText(["Add a security key", "Add a passkey on this device"]);
});

test("the Signal API is used only where reported (or, with nothing reported, where the method exists)", async ({ page, newDevice, authenticator }) => {
  const person = newPerson("capssignal");
  await signUpWithPasskey(page, person);
  await stubClientCapabilities(page.context(), { signalAllAcceptedCredentials: false });
  const calls = await recordWebAuthnCalls(page.context());
  await page.reload();
  await page.getByRole("button", { name: /^Remove / }).click();
  await page.getByRole("button", { name: "Remove passkey" }).click();
  await expect(page.getByTestId("passkey")).toHaveCount(0);
  // The list refreshes only after the signals were sent (or not): none was.
  expect(calls.filter((call) => call.method === "signal")).toEqual([]);
  // Not told: the passkey manager keeps it.
  expect(await authenticator.credentials()).toHaveLength(1);

  const olderPage = await newDevice({ capabilities: null });
  const olderCalls = await recordWebAuthnCalls(olderPage.context());
  const olderAuthenticator = await addVirtualAuthenticator(olderPage);
  await signUpWithPasskey(olderPage, newPerson("capssignal2"));
  await olderPage.getByRole("button", { name: /^Remove / }).click();
  await olderPage.getByRole("button", { name: "Remove passkey" }).click();
  await expect(olderPage.getByTestId("passkey")).toHaveCount(0);
  await expect.poll(() => olderAuthenticator.credentials()).toHaveLength(0);
  // (What shows the first half's silence means something: the same record sees a signal sent.)
  expect(olderCalls.filter((call) => call.method === "signal").map((call) => call.name)).toContain("signalAllAcceptedCredentials");
});

test("immediate mode: step 2's Continue signs in with this device's passkey at once", async ({ page }) => {
  const person = newPerson("capsnow");
  await signUpWithPasskey(page, person);
  await signOut(page);
  await page.goto("/login");
  await expect(page.getByRole("heading", { name: `Hello, ${person.username}` })).toBeVisible();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText("Signed in with a passkey.")).toBeVisible();
});

test("immediate mode: with no passkey on this device, Continue goes to the email link without a word", async ({ page, newDevice }) => {
  const person = newPerson("capsnone");
  await signUpWithPasskey(page, person);
  // A device that signed in by email once (so it greets the person) and holds no passkey.
  const device = await signInByEmail(await newDevice({ authenticator: "internal" }), person.email);
  const context = device.context();
  await signOut(device);
  await device.goto("/login");
  await expect(device.getByRole("heading", { name: `Hello, ${person.username}` })).toBeVisible();
  const before = await countMail(context, person.email);
  await device.getByRole("button", { name: "Continue" }).click();
  await expect(device.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await expect(alert(device)).toHaveCount(0);
  const mail = await readNewestMail(context, person.email, { after: before });
  expect(mail.subject).toBe(`${mail.code} is your Passwordless code`);
});

test("without immediate mode reported, step 2 is as before: the passkey button first, no Continue", async ({ page, newDevice, authenticator }) => {
  const person = newPerson("capslater");
  await signUpWithPasskey(page, person);
  const [credential] = await authenticator.credentials();
  for (const [i, stub] of [{ immediateGet: false }, null].entries()) {
    const device = await newDevice({ capabilities: stub });
    const deviceAuthenticator = await addVirtualAuthenticator(device);
    // A signature counter ahead of every earlier use, or the server refuses the copy as a clone.
    await deviceAuthenticator.addCredential({ ...credential!, signCount: 100 * (i + 1) });
    await openLoginWithoutAutofill(device, deviceAuthenticator);
    await device.getByLabel("Username or email").fill(person.username);
    await device.getByRole("button", { name: "Continue" }).click();
    await expect(device.getByRole("heading", { name: `Hello, ${person.username}` })).toBeVisible();
    await expect(device.getByRole("button", { name: "Continue" })).toHaveCount(0);
    await device.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(device).toHaveURL(/\/account$/);
  }
});

test("/.well-known/passkey-endpoints tells password managers where to create and manage passkeys", async ({ request }) => {
  const response = await request.get("/.well-known/passkey-endpoints");
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toMatch(/^application\/json/);
  expect(response.headers()["cache-control"]).toBe("public, max-age=86400");
  expect(await response.json()).toEqual({ enroll: `${appOrigin()}/account#add-passkey`, manage: `${appOrigin()}/account#passkeys` });
});
