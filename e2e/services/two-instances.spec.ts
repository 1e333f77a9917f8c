import type { Page, Request } from "@playwright/test";
import { expect, newPerson, readNewestMail, test } from "../fixtures";
import { openLoginWithoutAutofill, requestEmailSignIn, signOut, signUpWithPasskey } from "../flows";
import { stack } from "./stack";

const first = new URL(stack.first);
const second = new URL(stack.second);
/**
 * Server actions (fetched, or posted as a form as the passkey sign-in and sign-up's last step are),
 * and the one route handler that changes state from a page (sign-out).
 */
const isStateChange = (request: Request) =>
  request.method() === "POST" && (Boolean(request.headers()["next-action"]) || (request.postData() ?? "").includes("$ACTION_ID_") || new URL(request.url()).pathname === "/sign-out");

/**
 * Puts a page behind a two-instance "load balancer": pages load from instance 1, and server
 * actions and sign-outs alternate between the instances, starting with instance 2, so every step
 * of a flow runs on the other instance from the step before (options on one, verification on the
 * other; a sign-in page's challenge from one, verified on the other; a link asked for on one, used
 * on the other). `ports()` gives the port that answered each
 * of them so far, from the response's server address, so the test sees where requests really
 * went. For sign-out's fetch (redirect: "manual") Chromium reports no response; the request it
 * reports then carries the URL it was sent to.
 */
async function behindTwoInstances(page: Page): Promise<{ count(): number; ports(): Promise<number[]> }> {
  let toSecond = true;
  // Form posts this balancer fetched itself, and the port that answered (the page sees no server address for them).
  const fetchedFrom = new Map<Request, number>();
  await page.route("**/*", async (route) => {
    const request = route.request();
    if (!isStateChange(request)) return route.fallback();
    const useSecond = toSecond;
    toSecond = !toSecond;
    if (!useSecond) return route.continue();
    const url = new URL(request.url());
    url.port = second.port;
    // A load balancer keeps the public host; Next refuses an action whose Origin doesn't match
    // the host (X-Forwarded-Host when present), as a CSRF guard.
    const headers = { ...(await request.allHeaders()), "x-forwarded-host": first.host };
    // A form post is a navigation, which Chromium won't send to another URL: fetched here, and its
    // answer (a 303 with the session cookie) handed to the page as if it came from instance 1.
    if (request.isNavigationRequest()) {
      const response = await route.fetch({ url: url.href, headers, maxRedirects: 0 });
      fetchedFrom.set(request, Number(new URL(response.url()).port));
      return route.fulfill({ response });
    }
    await route.continue({ url: url.href, headers });
  });
  const answered: Promise<number>[] = [];
  page.on("request", (request) => {
    if (!isStateChange(request)) return;
    answered.push(request.response().then(async (response) => fetchedFrom.get(request) ?? (await response?.serverAddr())?.port ?? Number(new URL(request.url()).port)));
  });
  return { count: () => answered.length, ports: () => Promise.all(answered) };
}

const port = (url: URL) => Number(url.port);

test("sign-up, then passkey sign-in: every step on the other instance from the one before", async ({ page, authenticator }) => {
  const balancer = await behindTwoInstances(page);
  const person = newPerson("twin");
  // Details on 2, the emailed code on 1, passkey options on 2, its verification on 1.
  await signUpWithPasskey(page, person);
  expect(await balancer.ports()).toEqual([port(second), port(first), port(second), port(first)]);
  expect(await authenticator.credentials()).toHaveLength(1);

  await signOut(page);
  // The sign-in page, with the challenge in it, comes from instance 1 (pages always do); a fresh
  // balancer sends the next state change, the verify, to instance 2.
  await openLoginWithoutAutofill(page, authenticator);
  const signIn = await behindTwoInstances(page);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-username")).toHaveText(person.username);
  // One state change after the page, the verify (no options request), taken by the other instance.
  expect(await signIn.ports()).toEqual([port(second)]);
});

test("email sign-in: the link asked for on one instance is used on the other", async ({ page, browser }) => {
  const person = newPerson("twinmail");
  await signUpWithPasskey(page, person);

  const context = await browser.newContext();
  const device = await context.newPage();
  const balancer = await behindTwoInstances(device);
  await requestEmailSignIn(device, person.email);
  const asked = balancer.count();
  const link = (await readNewestMail(context, person.email)).links.find((l) => l.startsWith(`${stack.first}/login/email?token=`))!;
  await device.goto(link);
  await device.getByRole("button", { name: "Sign in" }).click();
  await expect(device).toHaveURL(/\/account$/);
  await expect(device.getByText("Signed in with an email link or code.")).toBeVisible();
  const ports = await balancer.ports();
  expect(ports).toHaveLength(asked + 1);
  expect(new Set(ports.slice(-2))).toEqual(new Set([port(first), port(second)]));
  await context.close();
});

test("a sign-out on one instance is honoured by the other, for a copied cookie too", async ({ page, browser }) => {
  await signUpWithPasskey(page, newPerson("twinout"));
  const cookies = await page.context().cookies();
  const copy = await browser.newContext();
  await copy.addCookies(cookies);
  const copyPage = await copy.newPage();
  // Cookies are per host, not per port: the copy is signed in on both instances.
  for (const instance of [stack.first, stack.second]) {
    await copyPage.goto(`${instance}/account`);
    await expect(copyPage).toHaveURL(/\/account$/);
  }

  const balancer = await behindTwoInstances(page);
  await signOut(page);
  expect(await balancer.ports()).toEqual([port(second)]);
  for (const instance of [stack.first, stack.second]) {
    await copyPage.goto(`${instance}/account`);
    await expect(copyPage).toHaveURL(/\/login\?next=/);
  }
  await copy.close();
});
