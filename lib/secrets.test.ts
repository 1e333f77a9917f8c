import { describe, expect, it } from "vitest";
import { CODE_PATTERN, TOKEN_PATTERN, hashSecret, randomCode, randomToken, verifySecret } from "./secrets";

describe("secrets", () => {
  it("makes 256-bit URL-safe tokens that match TOKEN_PATTERN, all different", () => {
    const tokens = new Set(Array.from({ length: 100 }, randomToken));
    expect(tokens.size).toBe(100);
    for (const t of tokens) {
      expect(t).toMatch(TOKEN_PATTERN);
      expect(Buffer.from(t, "base64url")).toHaveLength(32);
    }
  });

  it("makes 6-digit codes, zero-padded", () => {
    for (let i = 0; i < 200; i++) expect(randomCode()).toMatch(CODE_PATTERN);
  });

  it("hashes with argon2id and verifies only the right secret", async () => {
    const hashed = await hashSecret("123456");
    expect(hashed.startsWith("$argon2id$")).toBe(true);
    expect(hashed).not.toContain("123456");
    expect(await verifySecret(hashed, "123456")).toBe(true);
    expect(await verifySecret(hashed, "123457")).toBe(false);
    expect(await verifySecret("not a hash", "123456")).toBe(false);
  });
});
