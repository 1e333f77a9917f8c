import { describe, expect, it } from "vitest";
import { fieldError } from "./form-state";

describe("fieldError", () => {
  it("shows a validation message in the field, and leaves a failure's words to the form's message", () => {
    expect(fieldError({ error: "Enter your username or email." })).toBe("Enter your username or email.");
    expect(fieldError({ failure: "unavailable", error: "We can't reach one of our services right now." })).toBeUndefined();
    expect(fieldError({})).toBeUndefined();
  });
});
