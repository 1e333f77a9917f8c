import type { Page } from "@playwright/test";
import { expect, newPerson, readNewestMail, test } from "./fixtures";
import { expectSignedOut, requestEmailSignIn, signUpWithPasskey } from "./flows";

/**
 * An email sign-in approved from another device by number matching (#24 item 1): the asker's tab
 * shows a number and waits; the link opened on a "phone" (another browser context) offers three
 * numbers; the right one signs the asker in by itself, and the phone stays as it was.
 */
/** `asker` (a device that can make a passkey, so the email sign-in's passkey offer shows) asks for an email sign-in. */
async function asking(asker: Page, email: string) {
  await requestEmailSignIn(asker, email);
  const link = (await readNewestMail(asker.context(), email)).links.find((l) => l.includes("/login/email?token="))!;
  expect(new URL(link).searchParams.get("r")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const number = (await asker.getByTestId("approval-number").textContent())!.trim();
  expect(number).toMatch(/^\d\d$/);
  return { asker, link, number };
}

async function phoneOpening(phone: Page, link: string): Promise<Page> {
  await phone.goto(link);
  await expect(phone.getByRole("heading", { name: "Approve this sign-in?" })).toBeVisible();
  return phone;
}

const choices = (phone: Page) => phone.getByRole("group", { name: "The number on the other device" }).getByRole("button");

test("the right number on another device signs in the asking tab; the phone gets no session", async ({ page, newDevice }) => {
  test.setTimeout(180_000);
  const person = newPerson("apprv");
  await signUpWithPasskey(page, person);
  const { asker, link, number } = await asking(await newDevice({ authenticator: "internal" }), person.email);

  const phone = await phoneOpening(await newDevice(), link);
  await expect(phone.getByText(/Chrome on \w+ asked to sign in, .*from the sign-in you started a moment ago/)).toBeVisible();
  await expect(choices(phone)).toHaveCount(3);
  await choices(phone).filter({ hasText: new RegExp(`^${number}$`) }).click();
  await expect(phone.getByRole("heading", { name: "Sign-in approved" })).toBeVisible();

  // The asking tab moves on by itself (it polls about every second).
  await expect(asker).toHaveURL(/\/account$/, { timeout: 15_000 });
  await expect(asker.getByText("Signed in with an email link or code.")).toBeVisible();
  await expect(asker.getByRole("region", { name: "Sign in faster next time" })).toBeVisible();

  expect((await phone.context().cookies()).find((c) => c.name === "session")).toBeUndefined();
  await expectSignedOut(phone);
  // Reopened, the link says it was used.
  await phone.goto(link);
  await expect(phone.getByRole("heading", { name: "This link was already used" })).toBeVisible();
});

test("a wrong number ends the request, and the asking tab says so", async ({ page, newDevice }) => {
  test.setTimeout(180_000);
  const person = newPerson("apwrong");
  await signUpWithPasskey(page, person);
  const { asker, link, number } = await asking(await newDevice({ authenticator: "internal" }), person.email);

  const phone = await phoneOpening(await newDevice(), link);
  await choices(phone).filter({ hasNotText: new RegExp(`^${number}$`) }).first().click();
  await expect(phone.getByRole("heading", { name: "Sign-in stopped" })).toBeVisible();
  await expect(asker.getByText("The sign-in was stopped on the other device")).toBeVisible({ timeout: 15_000 });
  await expect(asker).toHaveURL(/\/login\/code/);
  await phone.goto(link);
  await expect(phone.getByRole("heading", { name: "This sign-in was stopped" })).toBeVisible();
});

test("a replayed approval is refused; a scanner's GET changes nothing; the asking browser's own link still works", async ({ page, newDevice, request }) => {
  test.setTimeout(180_000);
  const person = newPerson("apreplay");
  await signUpWithPasskey(page, person);

  // A scanner fetching the link, again and again, approves nothing and ends nothing.
  const first = await asking(await newDevice({ authenticator: "internal" }), person.email);
  for (let i = 0; i < 3; i++) expect((await request.get(first.link)).status()).toBe(200);
  expect((await request.head(first.link)).status()).toBe(200);
  await expect(first.asker.getByText("This page moves on by itself once you do.")).toBeVisible();
  // Opened in the browser that asked, the link is today's link.
  await first.asker.goto(first.link);
  await expect(first.asker.getByRole("heading", { name: `Sign in as ${person.email}` })).toBeVisible();
  await first.asker.getByRole("button", { name: "Sign in" }).click();
  await expect(first.asker).toHaveURL(/\/account$/);

  // Two pages of one link: the second choice, after the first approved, is a replay.
  const { asker, link, number } = await asking(await newDevice({ authenticator: "internal" }), person.email);
  const phone = await phoneOpening(await newDevice(), link);
  const replay = await phone.context().newPage();
  await replay.goto(link);
  await choices(phone).filter({ hasText: new RegExp(`^${number}$`) }).click();
  await expect(phone.getByRole("heading", { name: "Sign-in approved" })).toBeVisible();
  await choices(replay).filter({ hasText: new RegExp(`^${number}$`) }).click();
  await expect(replay.getByText("That sign-in request has expired or was already answered.")).toBeVisible();
  await expect(asker).toHaveURL(/\/account$/, { timeout: 15_000 });
  expect((await phone.context().cookies()).find((c) => c.name === "session")).toBeUndefined();
});

test("the owner's signed-in phone approves by number and stays signed in as it was", async ({ page, newDevice }) => {
  test.setTimeout(180_000);
  const person = newPerson("apsigned");
  await signUpWithPasskey(page, person);
  const { asker, link, number } = await asking(await newDevice({ authenticator: "internal" }), person.email);

  // `page` is signed in to the account (the phone that reads the mail): the link asks, it doesn't say "already signed in".
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "Approve this sign-in?" })).toBeVisible();
  await expect(page.getByText(/Nothing changes in this browser\./)).toBeVisible();
  const sessionBefore = (await page.context().cookies()).find((c) => c.name === "session")?.value;
  await choices(page).filter({ hasText: new RegExp(`^${number}$`) }).click();
  await expect(page.getByRole("heading", { name: "Sign-in approved" })).toBeVisible();
  await expect(asker).toHaveURL(/\/account$/, { timeout: 15_000 });
  await expect(asker.getByText("Signed in with an email link or code.")).toBeVisible();

  // The phone's own session is the one it had: still a passkey sign-in, not held.
  expect((await page.context().cookies()).find((c) => c.name === "session")?.value).toBe(sessionBefore);
  await page.goto("/account");
  await expect(page.getByText("Signed in with a passkey.")).toBeVisible();
  await expect(page.getByTestId("hold-notice")).toHaveCount(0);
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "This link was already used" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Go to your account" })).toBeVisible();
});
