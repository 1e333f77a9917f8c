import { describe, expect, it } from "vitest";
import { codeFromPaste, normaliseCode } from "./code";

describe("normaliseCode", () => {
  it("keeps the digits of a code however it is spaced", () => {
    expect(normaliseCode("123456")).toBe("123456");
    expect(normaliseCode("123 456")).toBe("123456");
    expect(normaliseCode("123-456")).toBe("123456");
    expect(normaliseCode(" 1 2 3\t4 5 6 ")).toBe("123456");
  });

  it("reads full-width digits as digits", () => {
    expect(normaliseCode("１２３４５６")).toBe("123456");
  });

  it("drops letters and keeps at most six digits", () => {
    expect(normaliseCode("12a3")).toBe("123");
    expect(normaliseCode("1234567")).toBe("123456");
    expect(normaliseCode("")).toBe("");
    expect(normaliseCode("abc")).toBe("");
  });
});

describe("codeFromPaste", () => {
  it("takes a code as the email shows it", () => {
    expect(codeFromPaste("123 456")).toBe("123456");
    expect(codeFromPaste("123-456")).toBe("123456");
    expect(codeFromPaste("123\u2013456")).toBe("123456");
    expect(codeFromPaste("  123456\n")).toBe("123456");
  });

  it("finds the code in a line of the email", () => {
    expect(codeFromPaste("Your code is 123 456. It expires in 10 minutes.")).toBe("123456");
    expect(codeFromPaste("Code: 987654 (valid for 15 min)")).toBe("987654");
  });

  it("does not take six digits out of a longer number", () => {
    expect(codeFromPaste("12345678")).toBe("123456");
    expect(codeFromPaste("call 0123456789 or use 111 222")).toBe("111222");
  });

  it("keeps a partial paste's digits", () => {
    expect(codeFromPaste("12 3")).toBe("123");
    expect(codeFromPaste("no digits here")).toBe("");
  });
});
