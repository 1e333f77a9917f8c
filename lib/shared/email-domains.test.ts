import { describe, expect, it } from "vitest";
import { inboxLink, senderAddress, suggestEmail } from "./email-domains";

describe("suggestEmail", () => {
  it.each([
    ["ana@gmial.com", "ana@gmail.com"],
    ["ana@gamil.com", "ana@gmail.com"],
    ["ana@gmail.con", "ana@gmail.com"],
    ["ana@gmail.co", "ana@gmail.com"],
    ["Ana.B@GMAIL.CM", "Ana.B@gmail.com"],
    ["ana@hotmial.com", "ana@hotmail.com"],
    ["ana@outlok.com", "ana@outlook.com"],
    ["ana@yaho.com", "ana@yahoo.com"],
    ["ana@icloud.co", "ana@icloud.com"],
    [" ana@gnail.com ", "ana@gmail.com"],
  ])("%s → %s", (typed, suggested) => {
    expect(suggestEmail(typed)).toBe(suggested);
  });

  it.each(["ana@gmail.com", "ana@mail.com", "ana@gmx.com", "ana@example.com", "ana@proton.me", "username", "ana@", "@gmial.com", "ana@company.co"])("leaves %s alone", (typed) => {
    expect(suggestEmail(typed)).toBeNull();
  });
});

describe("inboxLink", () => {
  it("opens Gmail searched for our sender, Outlook and Proton at the inbox, nothing for other domains", () => {
    expect(inboxLink("a@gmail.com", "no-reply@example.org")).toEqual({ label: "Open Gmail", href: "https://mail.google.com/mail/u/0/#search/from%3Ano-reply%40example.org%20newer_than%3A1d" });
    expect(inboxLink("a@Hotmail.com", "x@y")?.label).toBe("Open Outlook");
    expect(inboxLink("a@proton.me", "x@y")?.label).toBe("Open Proton Mail");
    expect(inboxLink("a@example.com", "x@y")).toBeNull();
    expect(inboxLink("gmail.com", "x@y")).toBeNull();
  });

  it("reads the bare sender address from a From header", () => {
    expect(senderAddress("Passwordless <no-reply@example.org>")).toBe("no-reply@example.org");
    expect(senderAddress("no-reply@example.org")).toBe("no-reply@example.org");
  });
});
