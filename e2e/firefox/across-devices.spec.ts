import { newPerson } from "../fixtures";
import { expect, test } from "./fixtures";
import { requestEmailSignIn, signUpWithPasskey } from "./flows";

/**
 * Signing in across devices in Firefox (#24): the asking device and the "phone" are two contexts
 * of one Firefox, so only one of them is in front at a time, as with two real devices in front of
 * one person. The asking tab waits while hidden and moves on when looked at again.
 */
test.describe.configure({ timeout: 120_000 });

test("an email sign-in approved by number from another device signs in the asking tab; the phone gets no session", async ({ device: laptop, mail, openDevice }) => {
  const person = newPerson("ffapprv");
  await signUpWithPasskey(laptop, mail, person);
  const before = await mail.count(person.email);

  const asker = await openDevice();
  await requestEmailSignIn(asker, person.email);
  const number = await asker.getByTestId("approval-number").text();
  expect(number).toMatch(/^\d\d$/);
  const link = (await mail.newest(person.email, { after: before })).links.find((l) => l.includes("/login/email?token="));
  expect(link, "the sign-in link").toBeTruthy();

  const phone = await openDevice();
  await phone.goto(link!);
  await phone.getByRole("heading", { name: "Approve this sign-in?" }).waitFor();
  await phone.getByText("Firefox on Linux asked to sign in").waitFor();
  await phone.getByRole("button", { name: number }).click();
  await phone.getByRole("heading", { name: "Sign-in approved" }).waitFor();

  await asker.show();
  await asker.waitForURL(/\/account$/, { timeout: 15_000 });
  await asker.getByText("Signed in with an email link or code.").waitFor();
  await asker.getByTestId("hold-notice").waitFor();

  await phone.goto("/account");
  await phone.waitForURL(/\/login/);
  await phone.goto(link!);
  await phone.getByRole("heading", { name: "This link was already used" }).waitFor();
});

test("scan to sign in: a phone signed in with the account's passkey approves with user verification, and the desktop signs itself in", async ({ device: phone, mail, authenticator, openDevice }) => {
  const person = newPerson("ffqr");
  await signUpWithPasskey(phone, mail, person);

  const desktop = await openDevice();
  await desktop.goto("/login");
  await desktop.getByText("Other ways to sign in").click();
  await desktop.getByRole("button", { name: "Sign in with your phone (already signed in there)" }).click();
  const url = await desktop.getByTestId("qr-url").text();
  expect(url).toMatch(/\/q\/[0-9a-hjkmnp-tv-z]{12}$/);

  await phone.goto(url);
  await phone.getByRole("heading", { name: "Approve a sign-in?" }).waitFor();
  // No user verification: refused, and it can be tried again.
  await authenticator.setUserVerified(false);
  await phone.getByRole("button", { name: "Approve with your passkey" }).click();
  await phone.getByText("No passkey was used").waitFor();
  await authenticator.setUserVerified(true);
  await phone.getByRole("button", { name: "Approve with your passkey" }).click();
  await phone.getByText("Approved. The other device is signing in now; you can close this page.").waitFor();

  await desktop.show();
  await desktop.waitForURL(/\/account$/, { timeout: 30_000 });
  expect(await desktop.getByTestId("account-username").text()).toBe(person.username);
  await desktop.getByText("Signed in with a passkey.").waitFor();
  expect(await desktop.getByTestId("hold-notice").count()).toBe(0);

  await phone.goto(url);
  await phone.getByRole("heading", { name: "This code no longer works" }).waitFor();
});
