import { newPerson } from "../fixtures";
import { target } from "../target";
import { expect, test } from "./fixtures";
import { enterCode, expectPasskeys, pickPasskeyFromAutofill, requestEmailSignIn, signOut, signUpWithPasskey, switchUser } from "./flows";

/**
 * The core passkey journeys in Firefox, as Firefox users get them: passkey autofill is a
 * suggestion in the username field's dropdown (the request waits until one is picked), and there
 * is no WebAuthn Signal API, so the passkey manager is never told what the server dropped.
 * Journeys are longer than Chromium's, one sign-up each, to keep the Firefox run short, so each
 * gets two minutes: on a busy two-core machine a journey of five ceremonies and four sign-outs
 * outlasts the suite's one.
 */
test.describe.configure({ timeout: 120_000 });

test("sign up with the emailed code and a passkey; sign in by autofill, the button, and username first", async ({ device, mail, authenticator, firefox }) => {
  const person = newPerson("ffsignin");
  await signUpWithPasskey(device, mail, person);
  await device.getByText("Signed in with a passkey.").waitFor();
  await expectPasskeys(device, 1);
  const credentials = await authenticator.credentials();
  expect(credentials).toHaveLength(1);
  expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: new URL(target.baseURL).hostname });

  // Autofill: Firefox lists the passkey under the username field, and nothing happens until it
  // is picked (Chromium's virtual authenticator answers by itself).
  await signOut(device);
  await switchUser(device, person.username);
  await pickPasskeyFromAutofill(device, firefox);
  await device.getByText("Signed in with a passkey.").waitFor();

  // The button, with no username: the waiting autofill request yields to it.
  await signOut(device);
  await switchUser(device, person.username);
  await device.getByRole("button", { name: "Sign in with a passkey" }).click();
  await device.waitForURL(/\/account$/);
  expect(await device.getByTestId("account-username").text()).toBe(person.username);

  // Username first (step 2 echoes what was typed), then the remembered user skips step 1.
  await signOut(device);
  await switchUser(device, person.username);
  await device.getByLabel("Username or email").fill(person.username.toUpperCase());
  await device.getByRole("button", { name: "Continue" }).click();
  await device.getByRole("heading", { name: `Hello, ${person.username.toUpperCase()}` }).waitFor();
  await device.getByRole("button", { name: "Sign in with a passkey" }).click();
  await device.waitForURL(/\/account$/);
  await signOut(device);
  await device.goto("/login");
  await device.getByRole("heading", { name: `Hello, ${person.username}` }).waitFor();
  await device.getByRole("button", { name: "Sign in with a passkey" }).click();
  await device.waitForURL(/\/account$/);
  expect(await device.getByTestId("account-username").text()).toBe(person.username);
});

test("a new device signs in by email, then adds its own passkey", async ({ device: laptop, mail, authenticator, addAuthenticator, openDevice }) => {
  const person = newPerson("ffnewdev");
  await signUpWithPasskey(laptop, mail, person);
  const [laptopPasskey] = await authenticator.credentials();
  const before = await mail.count(person.email);

  // Firefox's authenticators serve the whole browser: the laptop's leaves, so the phone has none
  // of its passkeys, then only its own.
  await authenticator.remove();
  const phoneAuthenticator = await addAuthenticator();
  const phone = await openDevice();
  await requestEmailSignIn(phone, person.email);
  const message = await mail.newest(person.email, { after: before });
  expect(message.subject).toBe(`${message.code} is your Passwordless code`);
  expect(message.text).toContain("from Firefox on Linux");
  await enterCode(phone, message.code);
  await phone.waitForURL(/\/account$/);
  await phone.getByText("Signed in with an email link or code.").waitFor();
  // An email sign-in on an account with passkeys: the owner is told, and this device is on hold
  // (it can't remove the laptop's passkey) but may still add its own.
  const alert = await mail.newest(person.email, { after: before + 1 });
  expect(alert.subject).toBe("New sign-in to Passwordless");
  expect(alert.text).toContain("with a link or code sent to this address");
  await phone.getByTestId("hold-notice").waitFor();
  const laptopPasskeyName = await phone.getByTestId("passkey-name").text();
  await phone.getByRole("link", { name: "Confirm it's you to remove" }).waitFor();
  expect(await phone.getByRole("button", { name: `Remove ${laptopPasskeyName}` }).count()).toBe(0);

  // Firefox on Linux reports no platform authenticator (getClientCapabilities), so no offer here:
  // the passkey list's "Add a passkey on this device" (the virtual authenticator makes it).
  expect(await phone.getByRole("region", { name: "Sign in faster next time" }).count()).toBe(0);
  await phone.getByRole("button", { name: "Add a passkey on this device" }).click();
  await expectPasskeys(phone, 2);
  await phone.getByText("Added on this device").waitFor();
  expect(await phoneAuthenticator.credentials()).toHaveLength(1);

  // Each device signs in with its own passkey. From step 1 (no username), because Firefox's
  // virtual authenticator fails a request whose allow list names a passkey it doesn't hold, as
  // the remembered user's step 2 does here (both passkeys).
  await signOut(phone);
  await switchUser(phone, person.username);
  await phone.getByRole("button", { name: "Sign in with a passkey" }).click();
  await phone.waitForURL(/\/account$/);
  await phone.getByText("Signed in with a passkey.").waitFor();
  // A passkey the held session added is held with it: signing in again with it is no way around the hold.
  await phone.getByTestId("hold-notice").waitFor();

  await phoneAuthenticator.remove();
  const laptopAgain = await addAuthenticator();
  await laptopAgain.addCredential(laptopPasskey!);
  await signOut(laptop);
  await switchUser(laptop, person.username);
  await laptop.getByRole("button", { name: "Sign in with a passkey" }).click();
  await laptop.waitForURL(/\/account$/);
  await laptop.getByText("Signed in with a passkey.").waitFor();
  await expectPasskeys(laptop, 2);
  expect(await laptop.getByTestId("hold-notice").count()).toBe(0);
});

test("remove a passkey: it no longer signs in, and Firefox keeps offering it", async ({ device, mail, authenticator, openDevice }) => {
  const person = newPerson("ffremove");
  await signUpWithPasskey(device, mail, person);
  const name = await device.getByTestId("passkey-name").text();
  const before = await mail.count(person.email);

  await device.getByRole("button", { name: `Remove ${name}` }).click();
  await device.getByText("This is your last passkey.").waitFor();
  await device.getByRole("button", { name: "Remove passkey" }).click();
  await device.getByText(`Passkey removed: ${name}.`).waitFor();
  await expectPasskeys(device, 0);
  const notice = await mail.newest(person.email, { after: before });
  expect(notice.subject).toBe("A passkey was removed from your account");

  // No Signal API in Firefox: its passkey manager still holds the passkey...
  expect(await authenticator.credentials()).toHaveLength(1);
  // ...and offers it at the next sign-in (a fresh context: the same browser, signed out); the
  // server refuses it, and nobody is signed in.
  const later = await openDevice();
  await later.goto("/login");
  await later.getByRole("button", { name: "Sign in with a passkey" }).click();
  await later.getByText("This passkey isn't registered here anymore").waitFor();
  expect(await authenticator.credentials()).toHaveLength(1);
  await later.goto("/account");
  await later.waitForURL(/\/login/);
});
