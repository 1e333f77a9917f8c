import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";
import type { VirtualAuthenticator, VirtualCredential } from "../fixtures";
import { connectMarionette, type Marionette } from "./marionette";

/**
 * Every engine detail of driving Firefox lives here: which binary, its preferences and profile,
 * the launch over WebDriver BiDi (puppeteer-core), virtual authenticators through Marionette, time
 * bounds, and teardown by PID.
 */

/** Debian's Firefox ESR unless FIREFOX_PATH says otherwise (Playwright can't drive it: puppeteer-core can). */
const firefoxPath = process.env.FIREFOX_PATH || "/usr/bin/firefox-esr";

const LAUNCH_TIMEOUT_MS = 30_000;
const COMMAND_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 5_000;

const prefs = {
  // Without these two, every ceremony waits and ends in NotAllowedError: ceremonies must go to
  // the virtual authenticators (the "soft token"), and no USB token may be waited for.
  "security.webauth.webauthn_enable_softtoken": true,
  "security.webauth.webauthn_enable_usbtoken": false,
  // Marionette on a port of the OS's choosing, which Firefox writes to MarionetteActivePort.
  "marionette.port": 0,
  // Passkey autofill is offered by the login manager's dropdown, which puppeteer's default
  // profile turns off.
  "signon.rememberSignons": true,
};

export type Firefox = {
  browser: Browser;
  /**
   * A virtual authenticator: CTAP2, built in ("internal"), resident keys and user verification,
   * consenting and verified, as a laptop's platform authenticator. Unlike Chromium's (one per
   * page), Firefox's serve the whole browser, every context included, and with several the
   * newest answers: a test that needs two devices removes one device's before adding the next.
   */
  addAuthenticator(): Promise<VirtualAuthenticator>;
  close(): Promise<void>;
};

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Firefox writes the Marionette port into the profile once Marionette listens. */
async function marionettePort(profile: string): Promise<number> {
  const file = path.join(profile, "MarionetteActivePort");
  const deadline = Date.now() + LAUNCH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const port = Number(await readFile(file, "utf8").catch(() => ""));
    if (port > 0) return port;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Firefox wrote no ${file}`);
}

function authenticatorApi(marionette: Marionette, id: string): VirtualAuthenticator {
  let removed = false;
  return {
    id,
    credentials: async () => (await marionette.send<{ value: VirtualCredential[] }>("WebAuthn:GetCredentials", { authenticatorId: id })).value,
    // ESR 140 reads the credential's fields beside authenticatorId, ESR 153 from `credentials`:
    // each ignores the other's shape.
    addCredential: async (credential) => void (await marionette.send("WebAuthn:AddCredential", { authenticatorId: id, ...credential, credentials: credential })),
    setUserVerified: async (isUserVerified) => void (await marionette.send("WebAuthn:SetUserVerified", { authenticatorId: id, isUserVerified })),
    remove: async () => {
      if (removed) return;
      removed = true;
      await marionette.send("WebAuthn:RemoveVirtualAuthenticator", { authenticatorId: id });
    },
  };
}

/** Headless Firefox on a fresh profile, with WebAuthn answered by virtual authenticators only. */
export async function launchFirefox(): Promise<Firefox> {
  if (!existsSync(firefoxPath)) throw new Error(`No Firefox at ${firefoxPath}: install Debian's firefox-esr (apt-get install firefox-esr), or set FIREFOX_PATH.`);
  const profile = await mkdtemp(path.join(tmpdir(), "passwordless-firefox-"));
  let browser: Browser | undefined;
  let marionette: Marionette | undefined;

  const close = async () => {
    marionette?.close();
    const child = browser?.process();
    await withTimeout(browser?.close() ?? Promise.resolve(), CLOSE_TIMEOUT_MS, "closing Firefox").catch(() => {});
    // Still running (a hung shutdown): end the process group puppeteer started it in (detached).
    if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, "SIGKILL");
    await rm(profile, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    browser = await puppeteer.launch({
      browser: "firefox",
      protocol: "webDriverBiDi",
      executablePath: firefoxPath,
      headless: true,
      userDataDir: profile,
      args: ["-marionette"],
      extraPrefsFirefox: prefs,
      timeout: LAUNCH_TIMEOUT_MS,
      protocolTimeout: COMMAND_TIMEOUT_MS * 3,
      // The fixture closes Firefox itself; Playwright owns the worker's signals.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    marionette = await connectMarionette(await marionettePort(profile), COMMAND_TIMEOUT_MS);
  } catch (error) {
    await close();
    throw error;
  }
  const client = marionette;

  return {
    browser,
    addAuthenticator: async () => {
      const { value: id } = await client.send<{ value: string }>("WebAuthn:AddVirtualAuthenticator", {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserConsenting: true,
        isUserVerified: true,
      });
      return authenticatorApi(client, id);
    },
    close,
  };
}
