import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "@playwright/test";
import puppeteer, { type Browser } from "puppeteer-core";
import type { VirtualAuthenticator, VirtualCredential } from "../fixtures";
import { connectMarionette, type Marionette } from "./marionette";

/** Driving Firefox: binary, preferences, profile, launch over WebDriver BiDi, authenticators over Marionette, teardown. */
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
  /** Firefox's autocomplete dropdown (its own window, out of the page's sight): open, and the entry selected (-1: none). */
  dropdown(): Promise<{ open: boolean; selected: number }>;
  close(): Promise<void>;
};

/** puppeteer's WebDriver BiDi connection, for what it doesn't wrap: script in Firefox's own window. */
type BidiConnection = { send(method: string, params: object): Promise<{ result: unknown }> };

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Firefox writes the Marionette port into the profile once Marionette listens. */
async function marionettePort(profile: string): Promise<number> {
  const read = () => readFile(path.join(profile, "MarionetteActivePort"), "utf8").then(Number, () => 0);
  await expect.poll(read, { message: "Firefox's MarionetteActivePort", timeout: LAUNCH_TIMEOUT_MS, intervals: [100] }).toBeGreaterThan(0);
  return read();
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
      // System access: WebDriver BiDi may then read Firefox's own window (the autofill dropdown).
      args: ["-marionette", "-remote-allow-system-access"],
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
  const bidi = (browser as unknown as { connection: BidiConnection }).connection;
  let chromeWindow: Promise<string> | undefined;

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
    dropdown: async () => {
      chromeWindow ??= bidi.send("browsingContext.getTree", { "moz:scope": "chrome", maxDepth: 0 }).then(({ result }) => (result as { contexts: { context: string }[] }).contexts[0]!.context);
      const expression = `(({ state, selectedIndex }) => JSON.stringify({ open: state === "open", selected: selectedIndex }))(document.getElementById("PopupAutoComplete"))`;
      const { result } = await bidi.send("script.evaluate", { expression, target: { context: await chromeWindow }, awaitPromise: false });
      return JSON.parse((result as { result: { value: string } }).result.value) as { open: boolean; selected: number };
    },
    close,
  };
}
