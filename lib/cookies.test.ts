import { describe, expect, it } from "vitest";
import { TestBrowser } from "@/test/browser";
import { pointerCookie, signedCookie, textCookie } from "./cookies";
import { randomToken } from "./secrets";

describe("cookies", () => {
  it("signed: reads back what it wrote; anything altered or unsigned reads as nothing", async () => {
    const browser = new TestBrowser();
    const cookie = signedCookie("remember", 60);
    await browser.run(() => cookie.set("user-1"));
    expect(await browser.run(cookie.get)).toBe("user-1");
    const [value, mac] = browser.cookie("remember")!.split(".");
    for (const forged of [`user-2.${mac}`, `${value}.${mac}x`, `${value}`, `${value}.`, "", ".".repeat(3)]) {
      browser.jar.set("remember", forged);
      expect(await browser.run(cookie.get), forged).toBeUndefined();
    }
    // A signature for another cookie's name doesn't transfer.
    await browser.run(() => signedCookie("other", 60).set("user-1"));
    browser.jar.set("remember", browser.cookie("other")!);
    expect(await browser.run(cookie.get)).toBeUndefined();
  });

  it("pointer: only a well-formed random id is read back", async () => {
    const browser = new TestBrowser();
    const cookie = pointerCookie("flow", 60);
    const id = randomToken();
    await browser.run(() => cookie.set(id));
    expect(await browser.run(cookie.get)).toBe(id);
    browser.jar.set("flow", "../../etc");
    expect(await browser.run(cookie.get)).toBeUndefined();
    await browser.run(cookie.clear);
    expect(browser.cookie("flow")).toBeUndefined();
  });

  it("text: round-trips what was typed, within its length", async () => {
    const browser = new TestBrowser();
    const cookie = textCookie("login", 60, 10);
    await browser.run(() => cookie.set("Zoë; a=b"));
    expect(await browser.run(cookie.get)).toBe("Zoë; a=b");
    await browser.run(() => cookie.set("x".repeat(20)));
    expect(await browser.run(cookie.get)).toBe("x".repeat(10));
    browser.jar.set("login", "%E0%A4%A");
    expect(await browser.run(cookie.get)).toBeUndefined();
  });
});
