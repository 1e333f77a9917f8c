import { describe, expect, it } from "vitest";
import { providerIcons, providerName } from "./aaguid";

describe("providerName", () => {
  it("names known providers by AAGUID, in any letter case", () => {
    expect(providerName("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4")).toBe("Google Password Manager");
    expect(providerName("FBFC3007-154E-4ECC-8C0B-6E020557D7BD")).toBe("Apple Passwords");
  });

  it("knows no name for the zero AAGUID and unknown ones", () => {
    expect(providerName("00000000-0000-0000-0000-000000000000")).toBeNull();
    expect(providerName("12345678-1234-1234-1234-123456789abc")).toBeNull();
  });

  it("gives known providers their light and dark icons, and unknown ones none", () => {
    const icons = providerIcons("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4");
    expect(icons?.light).toMatch(/^data:image\/(svg\+xml|png);base64,/);
    expect(icons?.dark).toMatch(/^data:image\//);
    expect(providerIcons("00000000-0000-0000-0000-000000000000")).toBeNull();
  });
});
