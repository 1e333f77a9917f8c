import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";
import { target } from "./e2e/target";

const baseURL = target.baseURL;
const PORT = new URL(baseURL).port;
/** `next dev`, what the README's first command gives people: the smoke journeys run there too. */
const devURL = process.env.E2E_DEV_URL ?? "http://localhost:3101";
const withDev = target.startsServer && !target.services;
const CI = Boolean(process.env.CI);
const chrome = devices["Desktop Chrome"];

/** Debian's Chromium when present (this project's machines), else Playwright's own browser. */
const chromiumPath = process.env.CHROMIUM_PATH || (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export default defineConfig({
  testDir: "e2e",
  // Real-services runs keep their own results, so CI keeps both runs' artifacts.
  outputDir: target.services ? "test-results/services" : "test-results",
  fullyParallel: true,
  // Real services: two app instances, PostgreSQL and Redis already share the two cores.
  workers: target.services ? 1 : 2,
  retries: CI ? 1 : 0,
  forbidOnly: CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: CI ? [["list"], ["html", { open: "never", outputFolder: target.services ? "playwright-report/services" : "playwright-report" }]] : "list",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    // The code field's blinking caret and the spinners keep Chromium drawing frames while a test
    // waits; on two cores that cost every test about a seventh of its time. Nothing here tests motion.
    contextOptions: { reducedMotion: "reduce" },
    launchOptions: {
      executablePath: chromiumPath,
      // The machines here have no network beyond the package registries: keep Chromium quiet.
      args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  projects: target.services
    ? [
        // What only real backends show (e2e/services/), and on them the @smoke journeys and those
        // tagged @services (counters and one-time tokens in Redis, undo across tables). `npm test`
        // runs every journey on the embedded backends; E2E_SERVICES_ALL=1 (`npm run test:services
        // -- --all`) runs them all here too, about 10 minutes more.
        {
          name: "chromium",
          use: chrome,
          testIgnore: ["services/faults.spec.ts", "firefox/**"],
          grep: process.env.E2E_SERVICES_ALL === "1" ? undefined : [/@smoke/, /@services/, /services\//],
        },
        // Stops and restarts the shared PostgreSQL and Redis: only once everything else is done.
        { name: "faults", use: chrome, testMatch: "services/faults.spec.ts", dependencies: ["chromium"] },
      ]
    : [
        // Debian's Firefox ESR, driven by puppeteer-core over WebDriver BiDi (e2e/firefox/fixtures.ts):
        // these tests use no Playwright browser, only its runner, server, retries and reporter.
        // One worker: a Firefox launch costs seconds of CPU. Listed first, so it runs beside
        // Chromium's tests on the other worker rather than after them.
        { name: "firefox", testMatch: "firefox/**/*.spec.ts", workers: 1 },
        { name: "chromium", use: chrome, testIgnore: ["services/**", "firefox/**"] },
        // The first request to each route compiles it, so these get more time.
        ...(withDev ? [{ name: "next-dev", use: { ...chrome, baseURL: devURL }, grep: /@smoke/, testIgnore: ["services/**", "firefox/**"], timeout: 240_000, expect: { timeout: 60_000 } }] : []),
      ],
  webServer: target.startsServer
    ? [
        {
          // A production build, as users run it, with the embedded backends opted into explicitly.
          command: `npm run build && npm run start -- -p ${PORT}`,
          url: `${baseURL}/api/health`,
          reuseExistingServer: !CI,
          timeout: 300_000,
          stdout: "ignore",
          stderr: "pipe",
          // DEV_OUTBOX=1: the specs read mail at /dev/outbox, which a production start keeps off otherwise.
          // TRUST_PROXY=xff: every test is a client of its own (see e2e/fixtures.ts), as people on
          // their own machines are; the default (the TCP peer) is tested by e2e/security.spec.ts.
          env: { ALLOW_EMBEDDED: "1", DEV_OUTBOX: "1", TRUST_PROXY: "xff", APP_URL: baseURL, PGLITE_DIR: "memory://", RESEND_WEBHOOK_SECRET: target.webhookSecret },
        },
        ...(withDev
          ? [
              {
                command: `npm run dev -- -p ${new URL(devURL).port}`,
                url: `${devURL}/api/health`,
                reuseExistingServer: !CI,
                timeout: 300_000,
                stdout: "ignore" as const,
                stderr: "pipe" as const,
                env: { TRUST_PROXY: "xff", APP_URL: devURL, PGLITE_DIR: "memory://" },
              },
            ]
          : []),
      ]
    : undefined,
});
