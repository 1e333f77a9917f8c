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

  // Normalising dot segments must not turn a path into a protocol-relative URL (checked on output).
  it.each(["/.//evil.example/x", "/..//evil.example", "/a/..//evil.example", "/%2e//evil.example", "/./\\evil.example", "/.%2f/evil.example", "/./%5cevil.example", "/.\t//evil.example"])(
    "sends the dot-segment variant %j to the fallback",
    (next) => {
      const out = safeNextPath(next);
      expect(out.startsWith("//") || out.startsWith("/\\")).toBe(false);
      expect(new URL(out, "https://app.example").origin).toBe("https://app.example");
    },
  );

  it("ignores non-strings", () => {
    expect(safeNextPath(undefined)).toBe("/account");
    expect(safeNextPath(["/account"])).toBe("/account");
  });
});
