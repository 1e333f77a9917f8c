import type { Mail } from "../fixtures";
import { expect, type Device, type Mailbox } from "./fixtures";
import type { Firefox } from "./firefox";

/**
 * The Firefox journeys' steps, the counterparts of e2e/flows.ts: the app's copy (labels, button
 * and heading names) that the Firefox suite relies on is here, or in the specs' own assertions.
 */

type Person = { name: string; username: string; email: string };

/** Fills the sign-up form and waits for the "Check your email" step; returns the message sent. */
export async function startSignup(device: Device, mail: Mailbox, person: Person): Promise<Mail> {
  await device.goto("/signup");
  await device.getByLabel("Name (optional)").fill(person.name);
  await device.getByLabel("Username").fill(person.username);
  await device.getByLabel("Email").fill(person.email);
  await device.getByRole("button", { name: "Create account" }).click();
  await device.getByRole("heading", { name: "Check your email" }).waitFor();
  return mail.newest(person.email);
}

/** Types the emailed code: the form submits itself on the sixth digit. */
export async function enterCode(device: Device, code: string | null): Promise<void> {
  expect(code, "a 6-digit code in the email").toMatch(/^\d{6}$/);
  await device.getByLabel("Code from the email").fill(code!);
}

/** The whole sign-up journey through the code and a passkey on the current authenticator. */
export async function signUpWithPasskey(device: Device, mail: Mailbox, person: Person): Promise<void> {
  const message = await startSignup(device, mail, person);
  await enterCode(device, message.code);
  await device.getByRole("heading", { name: "Create a passkey" }).waitFor();
  await device.getByRole("button", { name: "Create a passkey" }).click();
  await device.waitForURL(/\/account$/);
  expect(await device.getByTestId("account-username").text()).toBe(person.username);
}

/**
 * The account page lists `count` passkeys (waiting for the list to catch up after a change); if
 * it doesn't, the failure quotes the page's error messages (a ceremony that failed says why).
 */
export async function expectPasskeys(device: Device, count: number): Promise<void> {
  try {
    await expect.poll(() => device.getByTestId("passkey").count(), { message: "passkeys listed", intervals: [250] }).toBe(count);
  } catch (error) {
    const errors = await device.errors().catch(() => []);
    if (errors.length) throw new Error(`${count} passkeys listed? The page says: ${errors.join(" | ")}`, { cause: error });
    throw error;
  }
}

export async function signOut(device: Device): Promise<void> {
  await device.getByRole("button", { name: "Sign out" }).click();
  await device.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Sign in" }).waitFor();
}

/** Username or email first, then "Email me a sign-in link": lands on "Check your email". */
export async function requestEmailSignIn(device: Device, identifier: string): Promise<void> {
  await device.goto("/login");
  await device.getByLabel("Username or email").fill(identifier);
  await device.getByRole("button", { name: "Continue" }).click();
  // Step 2 has its own "Email me a sign-in link" (step 1 keeps one under "Other ways to sign in"): wait for it.
  await device.getByRole("heading", { name: `Hello, ${identifier}` }).waitFor();
  await device.getByRole("button", { name: "Email me a sign-in link" }).click();
  await device.getByRole("heading", { name: "Check your email" }).waitFor();
}

/** From a remembered user's step 2 of /login (greeting `username`) to step 1: "Switch user" forgets them. */
export async function switchUser(device: Device, username: string): Promise<void> {
  await device.goto("/login");
  await device.getByRole("heading", { name: `Hello, ${username}` }).waitFor();
  await device.getByRole("button", { name: "Switch user" }).click();
  await device.getByRole("heading", { name: "Sign in" }).waitFor();
}

/**
 * Passkey autofill as a Firefox user meets it: once step 1's conditional request waits, a key press
 * opens the username field's dropdown (Firefox's own window), the next selects the passkey if the
 * first didn't, and Enter picks it. Each press waits for the one before to show: an early Enter
 * would stop the dropdown opening.
 */
export async function pickPasskeyFromAutofill(device: Device, firefox: Firefox): Promise<void> {
  await expect.poll(() => device.autofillWaiting(), { message: "an autofill request waiting", intervals: [100] }).toBeGreaterThan(0);
  await device.getByLabel("Username or email").click();
  await device.press("ArrowDown");
  await expect.poll(async () => (await firefox.dropdown()).open, { message: "the dropdown open", intervals: [100] }).toBe(true);
  if ((await firefox.dropdown()).selected < 0) await device.press("ArrowDown");
  await expect.poll(() => firefox.dropdown(), { message: "the passkey selected", intervals: [100] }).toEqual({ open: true, selected: 0 });
  await device.press("Enter");
  await device.waitForURL(/\/account$/);
}
