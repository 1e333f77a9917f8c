import { describe, expect, it } from "vitest";
import { resilienceWarning } from "./passkey-resilience";

const GOOGLE = "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4";
const APPLE = "fbfc3007-154e-4ecc-8c0b-6e020557d7bd";
const UNNAMED = "12345678-1234-1234-1234-123456789abc";
const ZERO = "00000000-0000-0000-0000-000000000000";
const synced = (aaguid: string) => ({ aaguid, backedUp: true });
const bound = (aaguid: string) => ({ aaguid, backedUp: false });

describe("resilienceWarning", () => {
  it("says nothing without passkeys", () => {
    expect(resilienceWarning([], false)).toBeNull();
  });

  it("names the one provider every synced passkey is in, in any letter case", () => {
    expect(resilienceWarning([synced(GOOGLE), synced(GOOGLE.toUpperCase())], true)).toBe(
      "All your passkeys are in Google Password Manager. Add one on a security key or another device so losing that account doesn't lock you out.",
    );
    expect(resilienceWarning([synced(UNNAMED), synced(UNNAMED)], false)).toBe(
      "All your passkeys are in the same passkey manager. Add one on a security key or another device so losing that account doesn't leave email as your only way in.",
    );
  });

  it("says where the only passkey lives", () => {
    expect(resilienceWarning([synced(APPLE)], true)).toBe("Your only passkey is in Apple Passwords. Add one on a security key or another device so losing that account doesn't lock you out.");
    expect(resilienceWarning([synced(ZERO)], false)).toBe(
      "Your only passkey is in one passkey manager. Add one on a security key or another device so losing that account doesn't leave email as your only way in.",
    );
    expect(resilienceWarning([bound(ZERO)], true)).toBe("Your only passkey is on one device or security key. Add one on another device or a security key so losing it doesn't lock you out.");
  });

  it("stops once a passkey lives somewhere else: another provider, or a device or key of its own", () => {
    expect(resilienceWarning([synced(GOOGLE), synced(APPLE)], true)).toBeNull();
    expect(resilienceWarning([synced(GOOGLE), bound(GOOGLE)], true)).toBeNull();
    expect(resilienceWarning([synced(GOOGLE), bound(UNNAMED)], true)).toBeNull();
  });

  it("claims nothing the stored facts can't tell", () => {
    // The zero AAGUID names no provider: these may be in two managers.
    expect(resilienceWarning([synced(ZERO), synced(ZERO)], true)).toBeNull();
    // Unsynced passkeys, even of one model, may be on two devices or keys.
    expect(resilienceWarning([bound(UNNAMED), bound(UNNAMED)], true)).toBeNull();
  });
});
