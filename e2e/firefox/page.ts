import type { ElementHandle, Page } from "puppeteer-core";

/**
 * Playwright-like lookups on a puppeteer page, so the Firefox journeys read like the Chromium
 * ones: a role and its accessible name, a field by its label, visible text. Names match exactly,
 * whole and whitespace-normalized (Playwright's default is a substring). Every wait is bounded.
 *
 * Names are found with XPath from the sources this app names things with: text content, `<label
 * for>`, `aria-label` and `aria-labelledby`. Firefox's own accessibility tree (puppeteer's
 * `::-p-aria`, WebDriver BiDi's `locateNodes`) computes them exactly, but costs about 0.5 s per
 * lookup on a busy two-core machine, against under 0.1 s: seven times slower journeys.
 */

export const TIMEOUT_MS = 10_000;

/**
 * Firefox, like a person, lets only the focused tab use passkeys (NotAllowedError otherwise),
 * and a browser's devices and its mail reader are tabs of one window: every interaction first
 * brings its tab to the front (a no-op when it already is).
 */
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Element {
  constructor(
    private readonly page: Page,
    /** For failure messages: what the test looked for, in its own words. */
    readonly description: string,
    private readonly selector: string,
  ) {}

  /**
   * Finds it once visible, waits until it is enabled, then acts on that node; if the node is
   * replaced meanwhile (a re-render), starts over. Not puppeteer's
   * locators: their "enabled" wait, like `waitForFunction`, builds its check with `new Function`
   * in the page, which the app's CSP (no 'unsafe-eval') refuses in Firefox, whereas
   * `evaluate` goes through WebDriver BiDi's `script.callFunction`, which CSP doesn't govern.
   */
  private async act<T>(action: string, run: (handle: ElementHandle) => Promise<T>, { enabled = true } = {}): Promise<T> {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      try {
        const handle = await this.page.waitForSelector(this.selector, { visible: true, timeout: Math.max(deadline - Date.now(), 1) });
        if (!handle) throw new Error("not found");
        if (enabled && (await handle.evaluate((el) => el.hasAttribute("disabled") || el.getAttribute("aria-disabled") === "true"))) throw new Error("disabled");
        return await run(handle);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (Date.now() >= deadline) throw new Error(`${action} ${this.description}: ${reason} (after ${TIMEOUT_MS} ms)`);
        await sleep(100);
      }
    }
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

/** A page of the app, with paths resolved against the server under test. */
export class AppPage {
  constructor(
    readonly page: Page,
    private readonly baseURL: string,
  ) {}

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

  /** The address the document shows, client-side navigations included. */
  async url(): Promise<string> {
    return this.page.evaluate(() => location.href);
  }

  /** Waits (bounded) until the address matches: after a redirect or a client-side navigation. */
  async waitForURL(pattern: RegExp, { timeout = TIMEOUT_MS } = {}): Promise<void> {
    const deadline = Date.now() + timeout;
    let last = "";
    while (Date.now() < deadline) {
      // Mid-navigation the document may be gone: try again.
      last = await this.url().catch(() => last);
      if (pattern.test(last)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`address ${last} did not match ${pattern} within ${timeout} ms`);
  }

  /** The error messages the page shows now (its `role="alert"` regions; Next's route announcer is one too). */
  async errors(): Promise<string[]> {
    return this.page.$$eval('[role="alert"]:not(#__next-route-announcer__)', (alerts) => alerts.map((el) => (el as HTMLElement).innerText.trim()).filter(Boolean));
  }

  async press(key: "ArrowDown" | "Enter" | "Tab" | "Escape"): Promise<void> {
    await focus(this.page);
    await this.page.keyboard.press(key);
  }
}
