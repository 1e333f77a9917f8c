import type { Page } from "@playwright/test";
import { countMail, expect, readNewestMail, recordWebAuthnCalls, type Mail, type VirtualAuthenticator } from "./fixtures";

type Person = { name: string; username: string; email: string };

/** Fills the sign-up form and waits for the "Check your email" step; returns the message sent. */
export async function startSignup(page: Page, person: Person): Promise<Mail> {
  await page.goto("/signup");
  await page.getByLabel("Name (optional)").fill(person.name);
  await page.getByLabel("Username").fill(person.username);
  await page.getByLabel("Email").fill(person.email);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  return readNewestMail(page.context(), person.email);
}

/** The whole sign-up journey through the code and a passkey on this page's authenticator. */
export async function signUpWithPasskey(page: Page, person: Person): Promise<void> {
  const mail = await startSignup(page, person);
  await enterCode(page, mail.code!);
  await expect(page.getByRole("heading", { name: "Create a passkey" })).toBeVisible();
  await page.getByRole("button", { name: "Create a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-username")).toHaveText(person.username);
}

/** This browser is signed out: the account page sends it to sign in. */
export async function expectSignedOut(page: Page): Promise<void> {
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login/);
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Sign in" })).toBeVisible();
}

/**
 * Opens step 1 of /login with the autofill request spent: the virtual authenticator answers a
 * conditional request by itself, so to press the button (or type a name) first, the autofill
 * attempt must fail user verification.
 */
export async function openLoginWithoutAutofill(page: Page, authenticator: VirtualAuthenticator, path = "/login"): Promise<void> {
  const calls = await recordWebAuthnCalls(page.context());
  const from = calls.length;
  await authenticator.setUserVerified(false);
  await page.context().clearCookies({ name: "remember" });
  await page.goto(path);
  // This page's autofill request was refused, and none is waiting any more.
  const autofill = () => calls.slice(from).filter((call) => call.method === "get" && call.mediation === "conditional");
  await expect.poll(() => autofill().filter((call) => call.settled).length >= autofill().filter((call) => !call.settled).length && autofill().length > 0).toBe(true);
  await authenticator.setUserVerified(true);
}

/** Forget the remembered user (the "Switch user" button on step 2), landing on step 1. */
export async function switchUser(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Switch user" }).click();
  await expect(page.getByRole("heading", { name: "Sign in", exact: true })).toBeVisible();
}

/** Step 1's "Email me a sign-in link", under "Other ways to sign in" (opened first if it is closed). */
export async function emailLinkFromStepOne(page: Page): Promise<void> {
  const others = page.getByTestId("other-ways");
  if (!(await others.evaluate((d) => (d as HTMLDetailsElement).open))) await others.getByText("Other ways to sign in").click();
  await others.getByRole("button", { name: "Email me a sign-in link", exact: true }).click();
}

/** Username-first, then "Email me a sign-in link": lands on "Check your email". */
export async function requestEmailSignIn(page: Page, identifier: string): Promise<void> {
  // Step 1, whoever this browser signed in as before.
  await page.context().clearCookies({ name: "remember" });
  await page.goto("/login");
  await page.getByLabel("Username or email").fill(identifier);
  await page.getByRole("button", { name: "Continue" }).click();
  // Step 2 has its own "Email me a sign-in link" (step 1 keeps one under "Other ways to sign in"): wait for it.
  await expect(page.getByRole("heading", { name: `Hello, ${identifier}` })).toBeVisible();
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await expect(page.getByText("If an account exists for")).toBeVisible();
}

/**
 * Enters an emailed code, which submits its form by itself once complete (components/code-field.tsx):
 * a click on the submit button after it would come too late (or twice).
 */
export async function enterCode(page: Page, code: string, label = "Code from the email"): Promise<void> {
  await page.getByLabel(label).fill(code);
}

/** Types four wrong codes (each answered with the tries left), then a fifth that ends the flow. */
export async function enterFiveWrongCodes(page: Page, rightCode: string): Promise<void> {
  const wrong = rightCode === "000000" ? "111111" : "000000";
  for (let left = 4; left >= 1; left--) {
    await enterCode(page, wrong);
    await expect(page.getByText(`That code isn't right. Check the email and try again. ${left} ${left === 1 ? "try" : "tries"} left.`)).toBeVisible();
  }
  await enterCode(page, wrong);
  await expect(page.getByText("Too many wrong codes.")).toBeVisible();
}

/** Signs this page in with the code emailed for `identifier`; lands on the account page, and returns the page. */
export async function signInByEmail(page: Page, identifier: string, email = identifier): Promise<Page> {
  const before = await countMail(page.context(), email);
  await requestEmailSignIn(page, identifier);
  // Newer than any before, and the sign-in mail itself (a security notice may land meanwhile); one
  // read may itself wait up to 20 s for the mail on a loaded machine.
  let mail: Mail | undefined;
  await expect.poll(async () => (mail = await readNewestMail(page.context(), email, { after: before })).subject, { timeout: 60_000 }).toMatch(/^\d{6} is your Passwordless code$/);
  await enterCode(page, mail!.code!);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText("Signed in with an email link or code.")).toBeVisible();
  return page;
}

/** On the account page: changes the email to `newEmail` with the code mailed there. */
export async function changeEmail(page: Page, newEmail: string): Promise<void> {
  await page.getByLabel("New email address").fill(newEmail);
  await page.getByRole("button", { name: "Change email" }).click();
  await enterCode(page, (await readNewestMail(page.context(), newEmail)).code!, "Code sent to the new address");
  await expect(page.getByText(`Your email address is now ${newEmail}.`)).toBeVisible();
}

/**
 * The next passkey response the page posts as a form to `path` (the sign-in or sign-up's one
 * request) goes out claiming another origin: a tampered response the server must refuse. Resolves
 * true once one was tampered with.
 */
export async function tamperNextPostedResponse(page: Page, path: string): Promise<() => boolean> {
  let tampered = false;
  await page.route(`**${path}`, async (route) => {
    const body = route.request().postData() ?? "";
    if (tampered || route.request().method() !== "POST" || !body.includes('"clientDataJSON"')) return route.continue();
    tampered = true;
    const postData = body.replace(/"clientDataJSON":"([^"]+)"/, (_, data: string) => {
      const clientData = JSON.parse(Buffer.from(data, "base64url").toString()) as { origin: string };
      return `"clientDataJSON":"${Buffer.from(JSON.stringify({ ...clientData, origin: "https://evil.example" })).toString("base64url")}"`;
    });
    await route.continue({ postData });
  });
  return () => tampered;
}
