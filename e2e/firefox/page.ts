import { expect } from "@playwright/test";
import type { ElementHandle, Page } from "puppeteer-core";

/**
 * Playwright-like lookups on a puppeteer page (names match whole, whitespace-normalized), every wait
 * bounded. Names come by XPath from text, `<label for>`, `aria-label(ledby)`: Firefox's accessibility
 * tree (`::-p-aria`) is exact but about seven times slower on a busy two-core machine.
 */

export const TIMEOUT_MS = 10_000;

/** Firefox lets only the focused tab use passkeys, and every device is a tab of one window: each action fronts its tab. */
const focus = (page: Page) => page.bringToFront();

/** puppeteer's P-selector argument, quoted so parentheses, commas and quotes pass through whole. */
const argument = (value: string) => JSON.stringify(value);

/** An XPath 1.0 string literal: it has no escapes, so double quotes are concat()enated in. */
function literal(value: string): string {
  if (!value.includes('"')) return `"${value}"`;
  return `concat(${value
    .split('"')
    .map((part) => `"${part}"`)
    .join(`, '"', `)})`;
}

/** The roles the journeys use, each with where its name comes from (relative to the scope: `.//`). */
const byRole = {
  button: (name: string) => `.//button[normalize-space(.)=${name} or @aria-label=${name}]`,
  link: (name: string) => `.//a[@href][normalize-space(.)=${name} or @aria-label=${name}]`,
  heading: (name: string) => `.//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6][normalize-space(.)=${name}]`,
  textbox: (name: string) => `.//*[self::input or self::textarea][@aria-label=${name} or @id=//label[normalize-space(.)=${name}]/@for]`,
  navigation: (name: string) => `.//nav[@aria-label=${name}]`,
  region: (name: string) => `.//section[@aria-label=${name} or @aria-labelledby=//*[normalize-space(.)=${name}]/@id]`,
};

export type Role = keyof typeof byRole;

const roleSelector = (role: Role, name: string) => `::-p-xpath(${argument(byRole[role](literal(name)))})`;

export class Element {
  constructor(
    private readonly page: Page,
    /** For failure messages: what the test looked for, in its own words. */
    readonly description: string,
    private readonly selector: string,
  ) {}

  /**
   * Acts on it once it is visible and enabled, starting over if the node is replaced meanwhile (a
   * re-render). Not puppeteer's locators: their "enabled" wait builds its check with `new Function`
   * in the page, which the app's CSP refuses in Firefox; `evaluate` (BiDi's callFunction) it doesn't govern.
   */
  private async act<T>(action: string, run: (handle: ElementHandle) => Promise<T>, { enabled = true } = {}): Promise<T> {
    let result: T;
    await expect(async () => {
      const handle = await this.page.waitForSelector(this.selector, { visible: true, timeout: TIMEOUT_MS });
      if (!handle) throw new Error("not found");
      if (enabled && (await handle.evaluate((el) => el.hasAttribute("disabled") || el.getAttribute("aria-disabled") === "true"))) throw new Error("disabled");
      result = await run(handle);
    }, `${action} ${this.description}`).toPass({ timeout: TIMEOUT_MS, intervals: [100] });
    return result!;
  }

  /** Waits until it is visible and enabled, then clicks it. */
  click(): Promise<void> {
    return this.act("click", async (handle) => {
      await focus(this.page);
      await handle.click();
    });
  }

  /** Replaces the value of a text field, by typing. */
  fill(value: string): Promise<void> {
    return this.act("fill", async (handle) => {
      await focus(this.page);
      await handle.focus();
      await handle.evaluate((el) => (el as HTMLInputElement).select());
      await handle.type(value);
    });
  }

  /** Waits until it is visible (the equivalent of `expect(…).toBeVisible()`). */
  async waitFor(): Promise<void> {
    await this.act("wait for", async () => {}, { enabled: false });
  }

  /** Its visible text, once it is visible. */
  text(): Promise<string> {
    return this.act("read", (handle) => handle.evaluate((el) => (el as HTMLElement).innerText.trim()), { enabled: false });
  }

  /** How many match now (no waiting). */
  async count(): Promise<number> {
    return (await this.page.$$(this.selector)).length;
  }

  getByRole(role: Role, { name }: { name: string }): Element {
    return new Element(this.page, `${role} "${name}" in ${this.description}`, `${this.selector} ${roleSelector(role, name)}`);
  }
}

/** Added to every document of a device: counts the conditional requests waiting (the dropdown lists passkeys only then). */
function countWaitingAutofill() {
  let waiting = 0;
  Object.defineProperty(window, "__autofillWaiting", { get: () => waiting });
  const container = navigator.credentials;
  const get = container.get.bind(container);
  container.get = (options) => {
    const request = get(options);
    if (options?.mediation === "conditional") {
      waiting++;
      request.catch(() => {}).finally(() => waiting--);
    }
    return request;
  };
}

/** A page of the app, with paths resolved against the server under test. */
export class AppPage {
  constructor(
    readonly page: Page,
    private readonly baseURL: string,
  ) {}

  static async open(page: Page, baseURL: string): Promise<AppPage> {
    await page.evaluateOnNewDocument(countWaitingAutofill);
    return new AppPage(page, baseURL);
  }

  /** How many passkey autofill requests the page has waiting (none mid-navigation). */
  autofillWaiting(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as { __autofillWaiting: number }).__autofillWaiting).catch(() => 0);
  }

  /** Brings this tab to the front, as a person looking back at it (a hidden tab may wait for that). */
  show(): Promise<void> {
    return focus(this.page);
  }

  async goto(path: string): Promise<void> {
    await focus(this.page);
    await this.page.goto(new URL(path, this.baseURL).href, { timeout: TIMEOUT_MS * 2 });
  }

  getByRole(role: Role, { name }: { name: string }): Element {
    return new Element(this.page, `${role} "${name}"`, roleSelector(role, name));
  }

  /** A text field by its label. */
  getByLabel(label: string): Element {
    return this.getByRole("textbox", { name: label });
  }

  /** The innermost element whose text contains `text`. */
  getByText(text: string): Element {
    return new Element(this.page, `text "${text}"`, `::-p-text(${argument(text)})`);
  }

  getByTestId(id: string): Element {
    return new Element(this.page, `test id "${id}"`, `[data-testid=${argument(id)}]`);
  }

  /** Waits until the address matches (a redirect, a client-side navigation); mid-navigation the document may be gone. */
  async waitForURL(pattern: RegExp, { timeout = TIMEOUT_MS } = {}): Promise<void> {
    await expect.poll(() => this.page.evaluate(() => location.href).catch(() => ""), { message: "the address", timeout, intervals: [100] }).toMatch(pattern);
  }

  /** The error messages the page shows now (its `role="alert"` regions; Next's route announcer is one too). */
  async errors(): Promise<string[]> {
    return this.page.$$eval('[role="alert"]:not(#__next-route-announcer__)', (alerts) => alerts.map((el) => (el as HTMLElement).innerText.trim()).filter(Boolean));
  }

  async press(key: "ArrowDown" | "Enter"): Promise<void> {
    await focus(this.page);
    await this.page.keyboard.press(key);
  }
}
