import { describe, expect, it } from "vitest";
import { LIMITS, clientKeyFrom, hit } from "./rate-limit";

const headers = (values: Record<string, string>) => new Headers(values);

describe("clientKeyFrom", () => {
  it("trusts no header by default: a spoofed X-Forwarded-For buys no fresh bucket", () => {
    expect(clientKeyFrom(headers({ "x-forwarded-for": "1.1.1.1" }), "none")).toBe(clientKeyFrom(headers({ "x-forwarded-for": "2.2.2.2" }), "none"));
  });

  it("with a proxy that appends, takes the last X-Forwarded-For entry (what the proxy saw)", () => {
    expect(clientKeyFrom(headers({ "x-forwarded-for": "6.6.6.6, 10.0.0.7" }), "xff")).toBe("10.0.0.7");
    expect(clientKeyFrom(headers({ "x-forwarded-for": "6.6.6.6, 10.0.0.7" }), "xff")).toBe(clientKeyFrom(headers({ "x-forwarded-for": "7.7.7.7, 10.0.0.7" }), "xff"));
  });

  it("on Vercel, uses the header Vercel sets", () => {
    expect(clientKeyFrom(headers({ "x-vercel-forwarded-for": "203.0.113.9", "x-forwarded-for": "6.6.6.6" }), "vercel")).toBe("203.0.113.9");
  });
});

describe("hit", () => {
  it("floods of option requests hit the per-client limit", async () => {
    const client = `flood-${Date.now()}`;
    const { limit } = LIMITS.optionsPerClient;
    const results = [];
    for (let i = 0; i <= limit; i++) results.push(await hit("optionsPerClient", client));
    expect(results.slice(0, limit).every(Boolean)).toBe(true);
    expect(results[limit]).toBe(false);
    expect(await hit("optionsPerClient", `${client}-other`)).toBe(true);
  });
});
