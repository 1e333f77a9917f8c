import type { APIRequestContext, Page, Request } from "@playwright/test";
import postgres from "postgres";
import { expect, newPerson, test } from "../fixtures";
import { enterCode, signOut, signUpWithPasskey, startSignup } from "../flows";
import { stack, switchService } from "./stack";

// These stop the PostgreSQL and Redis that every other spec uses: one at a time, and only after
// all the others (the "faults" project in playwright.config.ts depends on them).
test.describe.configure({ mode: "serial" });

test.afterEach(async () => {
  await switchService("postgres", "start");
  await switchService("redis", "start");
});

const FRIENDLY = "Something went wrong on our side";
const UNAVAILABLE = "We can't reach one of our services right now.";
/** What must never reach a browser: stack frames, driver and client errors, source paths. */
const LEAKS = /\bat [\w.<>]+ \(|ECONNREFUSED|UpstashError|Upstash [A-Z]+ failed|PostgresError|node:internal|\.next\/server|\.tsx?:\d+/;
const isAction = (request: Request) => request.method() === "POST" && Boolean(request.headers()["next-action"]);

/** What each server action answered, read before the page gets it (the browser may drop bodies). */
async function recordActions(page: Page): Promise<{ status: number; body: string }[]> {
  const answers: { status: number; body: string }[] = [];
  await page.route("**/*", async (route) => {
    if (!isAction(route.request())) return route.fallback();
    const response = await route.fetch();
    answers.push({ status: response.status(), body: await response.text() });
    await route.fulfill({ response });
  });
  return answers;
}

async function health(request: APIRequestContext) {
  const started = Date.now();
  const response = await request.get("/api/health");
  return { status: response.status(), body: (await response.json()) as unknown, ms: Date.now() - started };
}

async function expectHealthy(request: APIRequestContext) {
  await expect.poll(async () => (await health(request)).status, { timeout: 15_000 }).toBe(200);
}

test("Redis stopped: a friendly page and a 503 from /api/health; all works again once it is back", async ({ page, request }) => {
  const person = newPerson("redisdown");
  // Someone with a passkey here, to sign in during the outage.
  const owner = newPerson("redisowner");
  await signUpWithPasskey(page, owner);
  await signOut(page);
  await page.goto("/signup");
  await page.getByLabel("Username").fill(person.username);
  await page.getByLabel("Email").fill(person.email);
  await switchService("redis", "stop");

  // Fast: the store fails at once rather than retrying for seconds, well inside the 3 s probe.
  const down = await health(request);
  expect(down).toMatchObject({ status: 503, body: { ok: false, store: { backend: "upstash", ok: false }, database: { backend: "postgres", ok: true } } });
  expect(down.ms).toBeLessThan(3000);

  // The form's server action can't reach the store: the form says so and stays, ready to be sent
  // again (app/form-action.ts), and the action's answer carries no details.
  const answers = await recordActions(page);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText(UNAVAILABLE)).toBeVisible();
  await expect(page.getByRole("button", { name: "Create account" })).toBeEnabled();
  await expect(page.getByLabel("Username")).toHaveValue(person.username);
  expect(answers).toHaveLength(1);
  expect(answers[0]).toMatchObject({ status: 200, body: expect.not.stringMatching(LEAKS) });
  expect(await page.content()).not.toMatch(LEAKS);
  await page.unrouteAll();

  // The sign-in page still comes with its challenge (stateless: no store needed), but spending it
  // at verify needs the store: a message, and the button works again.
  await page.goto("/login");
  await expect(page.getByRole("heading", { name: `Hello, ${owner.username}` })).toBeVisible();
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByText(UNAVAILABLE)).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toBeEnabled();

  // Back, with no restart of the app: the same person signs up (nothing was half-done).
  await switchService("redis", "start");
  await expectHealthy(request);
  await signUpWithPasskey(page, person);
});

test("PostgreSQL stopped: a friendly page and a 503 from /api/health; the session outlives the outage", async ({ page, request }) => {
  const person = newPerson("pgdown");
  await signUpWithPasskey(page, person);
  await switchService("postgres", "stop");

  const down = await health(request);
  expect(down).toMatchObject({ status: 503, body: { ok: false, database: { backend: "postgres", ok: false }, store: { backend: "upstash", ok: true } } });
  expect(down.ms).toBeLessThan(3000);

  // error.tsx can't choose the status: the page is a 500, showing only the friendly message.
  const response = await page.goto("/account");
  expect(response?.status()).toBe(500);
  expect(await response!.text()).not.toMatch(LEAKS);
  await expect(page.getByRole("heading", { name: FRIENDLY })).toBeVisible();

  await switchService("postgres", "start");
  await expectHealthy(request);
  // "Try again" on the error page re-renders from the server, now that the database is back.
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByTestId("account-username")).toHaveText(person.username);
});

test("a sign-up interrupted between steps leaves no user behind, and can simply be done again", async ({ page }) => {
  const person = newPerson("halfway");
  const mail = await startSignup(page, person);
  await switchService("postgres", "stop");
  await enterCode(page, mail.code!);
  await expect(page.getByText(UNAVAILABLE)).toBeVisible();
  await switchService("postgres", "start");

  const sql = postgres(stack.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select id from users where email = ${person.email} or lower(username) = ${person.username}`;
    expect(rows).toHaveLength(0);
  } finally {
    await sql.end({ timeout: 1 });
  }
  // Same username and email, from a fresh start: neither is taken.
  await page.context().clearCookies();
  await signUpWithPasskey(page, person);
});
