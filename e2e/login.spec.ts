import { generateKeyPairSync, randomBytes } from "node:crypto";
import { addVirtualAuthenticator, expect, newPerson, readNewestMail, recordWebAuthnCalls, test } from "./fixtures";
import { emailLinkFromStepOne, enterCode, openLoginWithoutAutofill, signOut, signUpWithPasskey, switchUser, tamperNextPostedResponse } from "./flows";
import { target } from "./target";

const heading = (name: string) => ({ name, exact: true });

test("passkey autofill: the username field's passkey request signs in on its own, with no error shown", { tag: "@smoke" }, async ({ page }) => {
  const person = newPerson("autofill");
  await signUpWithPasskey(page, person);
  await signOut(page);

  await page.goto("/login");
  await page.getByRole("button", { name: "Switch user" }).click();
  // No further click: step 1's conditional request starts at page load and the authenticator
  // answers it (so fast that step 1 may never be seen).
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText("Signed in with a passkey.")).toBeVisible();
  // Under next dev, React runs effects twice: two autofill requests, each with its own challenge.
  await signOut(page);
  await page.goto("/login");
  await page.getByRole("button", { name: "Switch user" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText("That took too long")).toHaveCount(0);
});

test("step 1: the passkey first, Continue for a name, the email link under “Other ways to sign in”", async ({ page }) => {
  await page.goto("/login");
  const passkey = page.getByRole("button", { name: "Sign in with a passkey" });
  const email = page.getByRole("button", { name: "Email me a sign-in link", exact: true });
  await expect(passkey).toBeVisible();
  await expect(page.getByRole("button", { name: "Continue" })).toBeVisible();
  // One way stands out: the passkey is the only filled button, and comes first.
  await expect(passkey).toHaveClass(/bg-accent/);
  await expect(page.getByRole("button", { name: "Continue" })).not.toHaveClass(/bg-accent/);
  expect(await passkey.evaluate((b) => Boolean(b.compareDocumentPosition(document.querySelector("input[name=identifier]")!) & Node.DOCUMENT_POSITION_FOLLOWING))).toBe(true);
  await expect(email).toBeHidden();
  await page.getByText("Other ways to sign in").click();
  await expect(email).toBeVisible();
  await page.getByLabel("Username or email").fill(`nobody.${newPerson().username}@example.test`);
  await email.click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
});

test("\"Sign in with a passkey\" button: a discoverable request with no username", async ({ page, authenticator }) => {
  const person = newPerson("button");
  await signUpWithPasskey(page, person);
  await signOut(page);

  await openLoginWithoutAutofill(page, authenticator);
  await expect(page.getByRole("heading", heading("Sign in"))).toBeVisible();
  await expect(page.getByLabel("Username or email")).toHaveAttribute("autocomplete", "username webauthn");
  // The request options came with the page: after the click, one request, the assertion posted as
  // a form to the action that verifies it and answers with the session and a 303 to /account.
  const posts: string[] = [];
  page.on("request", (r) => void (r.method() === "POST" && posts.push(`${new URL(r.url()).pathname} ${r.headers()["next-action"] ? "action" : "form"}`)));
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-username")).toHaveText(person.username);
  expect(posts).toEqual(["/login form"]);
});

test("username first, then the remembered user, then switch user", async ({ page, authenticator }) => {
  const person = newPerson("first");
  await signUpWithPasskey(page, person);
  await signOut(page);

  // Typed in another letter case: step 2 echoes what was typed.
  await openLoginWithoutAutofill(page, authenticator);
  await page.getByLabel("Username or email").fill(person.username.toUpperCase());
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", heading(`Hello, ${person.username.toUpperCase()}`))).toBeVisible();
  // Step 2 came with its own request options (this person's passkeys, or decoys): the click's
  // one request is the verify, a form post that signs in.
  const verify = page.waitForRequest((r) => r.method() === "POST" && !r.headers()["next-action"]);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  expect((await verify).postData()).toContain('"clientDataJSON"');
  await expect(page).toHaveURL(/\/account$/);

  // Remembered: the first step is skipped.
  await signOut(page);
  await page.goto("/login");
  await expect(page.getByRole("heading", heading(`Hello, ${person.username}`))).toBeVisible();
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);

  // Switch user forgets the remembered user (autofill disarmed, or it would sign straight back in).
  await signOut(page);
  await page.goto("/login");
  await authenticator.setUserVerified(false);
  await switchUser(page);
  expect((await page.context().cookies()).find((c) => c.name === "remember")).toBeUndefined();
});

test("email first: step 2's passkey button and Continue sign in with the device's passkey; next time it greets the username", async ({ page, authenticator }) => {
  const person = newPerson("byemail");
  await signUpWithPasskey(page, person);
  await signOut(page);

  const typeEmail = async () => {
    await openLoginWithoutAutofill(page, authenticator);
    await page.getByLabel("Username or email").fill(person.email.toUpperCase());
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByRole("heading", heading(`Hello, ${person.email.toUpperCase()}`))).toBeVisible();
  };
  // The button: an identified request that lists nothing, so the browser offers the passkey it holds.
  await typeEmail();
  // The request the page came with lists no passkeys (what WebAuthn was asked, as recorded).
  const calls = await recordWebAuthnCalls(page.context());
  const from = calls.length;
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
  expect(calls.slice(from).filter((c) => c.method === "get" && c.mediation !== "conditional").map((c) => c.allow)).toContain(0);
  await expect(page.getByTestId("account-username")).toHaveText(person.username);

  // Continue (immediate mode, which this Chromium reports).
  await signOut(page);
  await typeEmail();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(/\/account$/);

  // Remembered by username, not by the email typed.
  await signOut(page);
  await page.goto("/login");
  await expect(page.getByRole("heading", heading(`Hello, ${person.username}`))).toBeVisible();
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
});

test("an unknown name gets the same step and the same failure as a device without the passkey", async ({ page, browser }) => {
  const person = newPerson("known");
  await signUpWithPasskey(page, person);

  const failureFor = async (identifier: string) => {
    const context = await browser.newContext();
    const p = await context.newPage();
    await addVirtualAuthenticator(p); // a device with no passkey for this site
    await p.goto("/login");
    await p.getByLabel("Username or email").fill(identifier);
    await p.getByRole("button", { name: "Continue" }).click();
    await expect(p.getByRole("heading", heading(`Hello, ${identifier}`))).toBeVisible();
    await p.getByRole("button", { name: "Sign in with a passkey" }).click();
    const alert = p.locator('[role="alert"]:not(#__next-route-announcer__)');
    await expect(alert).toBeVisible();
    const text = await alert.innerText();
    // A way on: try again, or switch user.
    await expect(p.getByRole("button", { name: "Sign in with a passkey" })).toBeEnabled();
    await expect(p.getByRole("button", { name: "Switch user" })).toBeVisible();
    await context.close();
    return text;
  };
  const known = await failureFor(person.username);
  const unknown = await failureFor(`nobody_${person.username}`);
  expect(unknown).toBe(known);
});

test("a cookie copied before sign-out is rejected after it", async ({ page, browser }) => {
  const person = newPerson("copy");
  await signUpWithPasskey(page, person);
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === "session")).toMatchObject({ httpOnly: true, sameSite: "Lax" });

  const thief = await browser.newContext();
  await thief.addCookies(cookies);
  const p = await thief.newPage();
  await p.goto("/account");
  await expect(p.getByTestId("account-username")).toHaveText(person.username);

  await signOut(page);
  await p.goto("/account");
  await expect(p).toHaveURL(/\/login\?next=%2Faccount$|\/login\?next=\/account$/);
  await thief.close();
});

test("sign-out is a POST: a GET to anything never signs out", async ({ page }) => {
  await signUpWithPasskey(page, newPerson("get"));
  for (const path of ["/logout", "/signout", "/account?signout=1"]) await page.goto(path);
  await page.goto("/account");
  await expect(page.getByTestId("passkey")).toHaveCount(1);
});

test("a replayed authentication response is rejected; the session changes at every sign-in", async ({ page }) => {
  const person = newPerson("authreplay");
  await signUpWithPasskey(page, person);
  const firstSession = (await page.context().cookies()).find((c) => c.name === "session")?.value;
  await signOut(page);

  await page.goto("/login");
  const captured = page.waitForRequest((r) => r.method() === "POST" && (r.postData() ?? "").includes("signature"));
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  const request = await captured;
  await expect(page).toHaveURL(/\/account$/);
  expect((await page.context().cookies()).find((c) => c.name === "session")?.value).not.toBe(firstSession);

  await signOut(page);
  const replay = await page.request.post(request.url(), { headers: await request.allHeaders(), data: request.postData()!, maxRedirects: 0 });
  expect(replay.status()).toBe(303);
  expect(replay.headers()["location"]).toBe("/login?passkey_error=challenge_expired");
  expect((await page.context().cookies()).find((c) => c.name === "session")).toBeUndefined();
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login/);
});

for (const next of ["//evil.example", "https://evil.example", "/\\evil.example"]) {
  test(`open redirect attempt ${next} lands on /account`, async ({ page }) => {
    const person = newPerson("redirect");
    await signUpWithPasskey(page, person);
    await signOut(page);
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(page).toHaveURL(/\/account$/);
    expect(new URL(page.url()).origin).toBe(target.baseURL);
  });
}

test("signed in, /login?next=… redirects only within the site, whatever the path normalises to", async ({ page }) => {
  await signUpWithPasskey(page, newPerson("signedin"));
  for (const next of ["/.//evil.example/x", "/..//evil.example", "/a/..//evil.example", "/%2e//evil.example", "/./\\evil.example", "//evil.example", "/\\evil.example"]) {
    const response = await page.request.get(`/login?next=${encodeURIComponent(next)}`, { maxRedirects: 0 });
    expect(response.status(), next).toBe(307);
    const location = response.headers()["location"]!;
    expect(new URL(location, target.baseURL).origin, `${next} -> ${location}`).toBe(target.baseURL);
    expect(location.startsWith("//") || location.startsWith("/\\"), location).toBe(false);
  }
});

test("/account sends anonymous visitors to sign in and back", async ({ page }) => {
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount|\/login\?next=\/account/);
  const person = newPerson("back");
  await signUpWithPasskey(page, person);
  await signOut(page);
  await page.goto("/login?next=/account");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
});

test("a new device can ask for a sign-in link from step 1; 'no passkey here' leads straight to it", async ({ page, browser }) => {
  const person = newPerson("step1");
  await signUpWithPasskey(page, person);

  const context = await browser.newContext();
  const device = await context.newPage();
  // A device whose only passkey for this site it can't unlock: every request ends "not allowed".
  const other = await addVirtualAuthenticator(device);
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  await other.addCredential({ credentialId: randomBytes(32).toString("base64"), isResidentCredential: true, rpId: "localhost", userHandle: randomBytes(16).toString("base64"), signCount: 0, privateKey: privateKey.export({ format: "der", type: "pkcs8" }).toString("base64") });
  await other.setUserVerified(false);
  await device.goto("/login");
  // Empty field: a message, nothing sent.
  await emailLinkFromStepOne(device);
  await expect(device.getByText("Enter your username or email.")).toBeVisible();

  // No passkey here: the way on is the email link, for the name typed above.
  await device.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(device.getByText("No passkey was used")).toBeVisible();
  await device.getByRole("button", { name: "Email me a sign-in link instead" }).click();
  await expect(device.getByLabel("Username or email")).toBeFocused();
  await device.keyboard.type(person.email);
  await emailLinkFromStepOne(device);
  await expect(device.getByRole("heading", { name: "Check your email" })).toBeVisible();
  const mail = await readNewestMail(context, person.email);
  await enterCode(device, mail.code!);
  await expect(device).toHaveURL(/\/account$/);
  await context.close();
});

test("two passkey requests at once (autofill and the button, or a double click) never spoil each other", async ({ page }) => {
  const person = newPerson("twice");
  await signUpWithPasskey(page, person);
  await signOut(page);
  await page.goto("/login");
  await page.getByRole("button", { name: "Switch user" }).click();
  // The autofill request may already have signed in; if not, a double click on the button does.
  if (!/\/account$/.test(page.url())) await page.getByRole("button", { name: "Sign in with a passkey" }).dblclick({ timeout: 5000 }).catch(() => {});
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText("Signed in with a passkey.")).toBeVisible();
  await expect(page.locator('[role="alert"]:not(#__next-route-announcer__)')).toHaveCount(0);
});

test("a tampered sign-in response comes back to the sign-in page with a message, signs nobody in, and the retry works", async ({ page }) => {
  const person = newPerson("tamperin");
  await signUpWithPasskey(page, person);
  await signOut(page);
  // The remembered person's step 2: no autofill request, which would sign in by itself once back.
  await page.goto("/login");
  await expect(page.getByRole("heading", heading(`Hello, ${person.username}`))).toBeVisible();
  const tampered = await tamperNextPostedResponse(page, "/login");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByText("That passkey didn't work for this account.")).toBeVisible();
  expect(tampered()).toBe(true);
  // The message left the address: a reload shows a fresh page.
  await expect(page).toHaveURL(/\/login$/);
  expect((await page.context().cookies()).some((c) => c.name === "session")).toBe(false);

  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-username")).toHaveText(person.username);
});

test("back after signing in shows the account, not a stale sign-in step", async ({ page }) => {
  const person = newPerson("back");
  await signUpWithPasskey(page, person);
  await signOut(page);
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await page.goBack();
  // The sign-in page sends a signed-in visitor on.
  await expect(page).not.toHaveURL(/\/login$/);
  await page.reload();
  await expect(page).not.toHaveURL(/\/login$/);
});
