import { describe, expect, it } from "vitest";
import { safeNextPath } from "./safe-next";

describe("safeNextPath", () => {
  it("keeps same-site paths with their query", () => {
    expect(safeNextPath("/account")).toBe("/account");
    expect(safeNextPath("/account?tab=passkeys#list")).toBe("/account?tab=passkeys#list");
  });

  it.each(["//evil.example", "https://evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example", "/\n/evil.example", "javascript:alert(1)", "evil.example", "", "http:/evil.example"])(
    "sends %j to the fallback",
    (next) => {
      expect(safeNextPath(next)).toBe("/account");
    },
  );

  it("ignores non-strings", () => {
    expect(safeNextPath(undefined)).toBe("/account");
    expect(safeNextPath(["/account"])).toBe("/account");
  });
});
