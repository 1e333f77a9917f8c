import { countMail, expect, newPerson, readNewestMail, test } from "./fixtures";
import { enterCode, enterFiveWrongCodes, signOut, signUpWithPasskey, startSignup, tamperNextPostedResponse } from "./flows";

test("sign up: details, code from the email, passkey, signed in", { tag: "@smoke" }, async ({ page, authenticator }) => {
  const person = newPerson("code");
  const mail = await startSignup(page, person);
  expect(mail.subject).toBe(`${mail.code} is your Passwordless code`);
  expect(mail.code).toMatch(/^\d{6}$/);

  await enterCode(page, mail.code!);
  await expect(page.getByRole("heading", { name: "Create a passkey" })).toBeVisible();
  await page.getByRole("button", { name: "Create a passkey" }).click();

  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText("Signed in with a passkey.")).toBeVisible();
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(person.name);
  await expect(page.getByTestId("account-email")).toHaveText(person.email);
  await expect(page.getByTestId("passkey")).toHaveCount(1);
  const [credential] = await authenticator.credentials();
  expect(credential?.isResidentCredential).toBe(true);
  // The WebAuthn user handle is random, never the email or username.
  expect(Buffer.from(credential!.userHandle!, "base64").toString()).not.toContain(person.username);
});

test("sign up with the emailed link, then skip the passkey: signed in by email, offered a passkey", async ({ page }) => {
  const person = newPerson("link");
  const mail = await startSignup(page, person);
  const link = mail.links.find((l) => l.includes("/signup/verify?token="));
  expect(link).toBeTruthy();

  // Opening the link (a GET, as a mail scanner would) consumes nothing: twice, then the button.
  await page.goto(link!);
  await page.goto(link!);
  await expect(page.getByRole("heading", { name: "Confirm your email" })).toBeVisible();
  await page.getByRole("button", { name: "Confirm email" }).click();
  await expect(page.getByRole("heading", { name: "Create a passkey" })).toBeVisible();

  await page.getByRole("button", { name: "Skip for now" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText("Signed in with an email link or code.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Sign in faster next time" })).toBeVisible();
  await expect(page.getByTestId("passkey")).toHaveCount(0);
});

test("the link opened in another browser explains where it works and consumes nothing", async ({ page, browser }) => {
  const person = newPerson("elsewhere");
  const mail = await startSignup(page, person);
  const link = mail.links.find((l) => l.includes("/signup/verify?token="))!;

  const other = await browser.newContext();
  const otherPage = await other.newPage();
  const response = await otherPage.goto(link);
  expect(response?.headers()["referrer-policy"]).toBe("same-origin");
  await expect(otherPage.getByRole("heading", { name: "Open this link where you signed up" })).toBeVisible();
  await expect(otherPage.getByRole("button", { name: "Confirm email" })).toHaveCount(0);
  await other.close();

  await page.goto(link);
  await page.getByRole("button", { name: "Confirm email" }).click();
  await expect(page.getByRole("heading", { name: "Create a passkey" })).toBeVisible();
});

test("usernames are unique in any letter case; a taken email gets the same answer as a new one, and its owner a notice", async ({ page, browser }) => {
  const person = newPerson("dup");
  await signUpWithPasskey(page, person);

  const other = await browser.newContext();
  const p = await other.newPage();
  await p.goto("/signup");
  await p.getByLabel("Username").fill(person.username.toUpperCase());
  await p.getByLabel("Email").fill(`other.${person.email}`);
  await p.getByRole("button", { name: "Create account" }).click();
  await expect(p.getByText("That username is taken. Try another.")).toBeVisible();
  await expect(p.getByLabel("Username")).toHaveValue(person.username.toUpperCase());
  await expect(p.getByLabel("Email")).toHaveValue(`other.${person.email}`);

  const before = await countMail(other, person.email);
  await p.getByLabel("Username").fill(`${person.username}x`);
  await p.getByLabel("Email").fill(`  ${person.email.toUpperCase()} `);
  await p.getByRole("button", { name: "Create account" }).click();
  await expect(p.getByRole("heading", { name: "Check your email" })).toBeVisible();
  const notice = await readNewestMail(other, person.email, { after: before });
  expect(notice.subject).toBe("You already have a Passwordless account");
  expect(notice.code).toBeNull();
  await other.close();
});

test("invalid details get a message per field and nothing is sent", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("Username").fill("ab");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Use at least 3 characters.")).toBeVisible();
  await expect(page.getByText("Enter a valid email address, like you@example.com.")).toBeVisible();
  await expect(page.getByLabel("Username")).toHaveValue("ab");
  await expect(page.getByLabel("Username")).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Username").fill("has space");
  await page.getByLabel("Email").fill("fine@example.test");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Use only letters a-z, digits and . _ -")).toBeVisible();
});

test("five wrong codes end the pending sign-up; starting again works", async ({ page }) => {
  const person = newPerson("wrong");
  const mail = await startSignup(page, person);
  await enterFiveWrongCodes(page, mail.code!);
  await expect(page.getByText("Too many wrong codes. Please start again.")).toBeVisible();

  // The right code no longer works: the pending sign-up is gone.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Create an account" })).toBeVisible();

  const again = await startSignup(page, person);
  expect(again.code).not.toBeNull();
  await enterCode(page, again.code!);
  await expect(page.getByRole("heading", { name: "Create a passkey" })).toBeVisible();
});

test("a cancelled passkey prompt explains itself, stores nothing, and can be retried", async ({ page, authenticator }) => {
  const person = newPerson("cancel");
  const mail = await startSignup(page, person);
  await enterCode(page, mail.code!);

  await authenticator.setUserVerified(false);
  await page.getByRole("button", { name: "Create a passkey" }).click();
  await expect(page.getByText("The passkey wasn't created")).toBeVisible();
  expect(await authenticator.credentials()).toHaveLength(0);

  await authenticator.setUserVerified(true);
  await page.getByRole("button", { name: "Create a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("passkey")).toHaveCount(1);
});

test("a replayed registration response is rejected and stores no second passkey", async ({ page }) => {
  const person = newPerson("replay");
  const mail = await startSignup(page, person);
  await enterCode(page, mail.code!);

  // One request after the click: the response posted as a form, answered with a 303 to the account.
  const captured = page.waitForRequest((r) => r.method() === "POST" && (r.postData() ?? "").includes("attestationObject"));
  await page.getByRole("button", { name: "Create a passkey" }).click();
  const request = await captured;
  expect(request.headers()["next-action"]).toBeUndefined();
  await expect(page).toHaveURL(/\/account$/);

  const replay = await page.request.post(request.url(), { headers: await request.allHeaders(), data: request.postData()!, maxRedirects: 0 });
  expect(replay.status()).toBe(303);
  expect(replay.headers()["location"]).toBe("/signup?passkey_error=signup_expired");

  await page.reload();
  await expect(page.getByTestId("passkey")).toHaveCount(1);
});

test("a tampered registration response comes back to the passkey step with a message, saves nothing, and the retry works", async ({ page, authenticator }) => {
  const person = newPerson("tamper");
  const mail = await startSignup(page, person);
  await enterCode(page, mail.code!);

  const tampered = await tamperNextPostedResponse(page, "/signup");
  await page.getByRole("button", { name: "Create a passkey" }).click();
  await expect(page.getByText("We couldn't verify that passkey.")).toBeVisible();
  expect(tampered()).toBe(true);
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByRole("heading", { name: "Create a passkey" })).toBeVisible();

  await page.getByRole("button", { name: "Create a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("passkey")).toHaveCount(1);
  // The server kept only the passkey it could verify, the one the authenticator holds now (it
  // replaced the first, made for the same account): it signs in.
  expect(await authenticator.credentials()).toHaveLength(1);
  await signOut(page);
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
});
