import { describe, expect, it } from "vitest";
import { codeFromPaste, normaliseCode } from "./code";

describe("normaliseCode", () => {
  it.each([
    // However it is spaced, full-width digits as digits, letters dropped, six digits at most.
    ["123456", "123456"],
    ["123 456", "123456"],
    ["123-456", "123456"],
    [" 1 2 3\t4 5 6 ", "123456"],
    ["１２３４５６", "123456"],
    ["12a3", "123"],
    ["1234567", "123456"],
    ["", ""],
    ["abc", ""],
  ])("%j → %j", (input, code) => {
    expect(normaliseCode(input)).toBe(code);
  });
});

describe("codeFromPaste", () => {
  it.each([
    // A code as the email shows it, or in a line of the email.
    ["123 456", "123456"],
    ["123-456", "123456"],
    ["123\u2013456", "123456"],
    ["  123456\n", "123456"],
    ["Your code is 123 456. It expires in 10 minutes.", "123456"],
    ["Code: 987654 (valid for 15 min)", "987654"],
    // Not six digits out of a longer number.
    ["12345678", "123456"],
    ["call 0123456789 or use 111 222", "111222"],
    // A partial paste keeps its digits.
    ["12 3", "123"],
    ["no digits here", ""],
  ])("%j → %j", (input, code) => {
    expect(codeFromPaste(input)).toBe(code);
  });
});
