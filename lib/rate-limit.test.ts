import { describe, expect, it } from "vitest";
import { PEER_HEADER } from "./peer-address";
import { LIMITS, clientKeyFrom, hit } from "./rate-limit";

const headers = (values: Record<string, string>) => new Headers(values);

describe("clientKeyFrom", () => {
  it("trusts no forwarded header by default: the TCP peer decides, so a spoofed X-Forwarded-For buys nothing", () => {
    const a = clientKeyFrom(headers({ [PEER_HEADER]: "203.0.113.5", "x-forwarded-for": "1.1.1.1" }), "none", true);
    const b = clientKeyFrom(headers({ [PEER_HEADER]: "203.0.113.5", "x-forwarded-for": "2.2.2.2" }), "none", true);
    expect(a).toBe("203.0.113.5");
    expect(b).toBe(a);
  });

  it("gives different peers different buckets: one client can't use up another's limit", () => {
    const one = clientKeyFrom(headers({ [PEER_HEADER]: "::ffff:127.0.0.2" }), "none", true);
    const two = clientKeyFrom(headers({ [PEER_HEADER]: "127.0.0.1" }), "none", true);
    expect(one).toBe("127.0.0.2");
    expect(two).not.toBe(one);
  });

  it("counts IPv6 clients per /64, however the address is written", () => {
    const key = clientKeyFrom(headers({ [PEER_HEADER]: "2001:db8:1:2::1" }), "none", true);
    expect(key).toBe("2001:0db8:0001:0002::/64");
    expect(clientKeyFrom(headers({ [PEER_HEADER]: "2001:db8:1:2:ffff:1:2:3" }), "none", true)).toBe(key);
    expect(clientKeyFrom(headers({ [PEER_HEADER]: "2001:db8:1:3::1" }), "none", true)).not.toBe(key);
    expect(clientKeyFrom(headers({ [PEER_HEADER]: "::1" }), "none", true)).toBe("0000:0000:0000:0000::/64");
  });

  it("ignores a peer header the process didn't stamp itself (a client could have sent it)", () => {
    expect(clientKeyFrom(headers({ [PEER_HEADER]: "9.9.9.9" }), "none", false)).toBe("unknown-client");
  });

  it("with a proxy that appends, takes the last X-Forwarded-For entry (what the proxy saw)", () => {
    expect(clientKeyFrom(headers({ "x-forwarded-for": "6.6.6.6, 10.0.0.7" }), "xff", true)).toBe("10.0.0.7");
    expect(clientKeyFrom(headers({ "x-forwarded-for": "6.6.6.6, 10.0.0.7" }), "xff", true)).toBe(clientKeyFrom(headers({ "x-forwarded-for": "7.7.7.7, 10.0.0.7" }), "xff", true));
  });

  it("on Vercel, uses the header Vercel sets", () => {
    expect(clientKeyFrom(headers({ "x-vercel-forwarded-for": "203.0.113.9", "x-forwarded-for": "6.6.6.6" }), "vercel", false)).toBe("203.0.113.9");
  });

  it("on Vercel, takes the first x-vercel-forwarded-for entry, and falls back to x-real-ip only without it", () => {
    expect(clientKeyFrom(headers({ "x-vercel-forwarded-for": "203.0.113.9, 10.0.0.7", "x-real-ip": "6.6.6.6" }), "vercel", true)).toBe("203.0.113.9");
    expect(clientKeyFrom(headers({ "x-real-ip": "203.0.113.10", "x-forwarded-for": "6.6.6.6" }), "vercel", true)).toBe("203.0.113.10");
    expect(clientKeyFrom(headers({ "x-forwarded-for": "6.6.6.6", [PEER_HEADER]: "7.7.7.7" }), "vercel", true)).toBe("unknown-client");
  });

  it("behind a trusted proxy, a spoofed first hop changes nothing, and a missing header isn't read from elsewhere", () => {
    const key = clientKeyFrom(headers({ "x-forwarded-for": "10.0.0.7" }), "xff", true);
    expect(clientKeyFrom(headers({ "x-forwarded-for": "1.1.1.1, 2.2.2.2, 10.0.0.7" }), "xff", true)).toBe(key);
    expect(clientKeyFrom(headers({ "x-forwarded-for": "10.0.0.7, 10.0.0.8" }), "xff", true)).not.toBe(key);
    expect(clientKeyFrom(headers({ [PEER_HEADER]: "10.0.0.7", "x-vercel-forwarded-for": "10.0.0.7" }), "xff", true)).toBe("unknown-client");
  });

  it.each([
    ["xff", (a: string) => ({ "x-forwarded-for": `6.6.6.6, ${a}` })],
    ["vercel", (a: string) => ({ "x-vercel-forwarded-for": a })],
  ] as const)("under TRUST_PROXY=%s, counts IPv6 clients per /64 too", (trust, from) => {
    const key = clientKeyFrom(headers(from("2001:db8:7:1::1")), trust, true);
    expect(key).toBe("2001:0db8:0007:0001::/64");
    expect(clientKeyFrom(headers(from("2001:DB8:7:1:ffff:ee:dd:cc")), trust, true)).toBe(key);
    expect(clientKeyFrom(headers(from("2001:db8:7:2::1")), trust, true)).not.toBe(key);
    expect(clientKeyFrom(headers(from("::ffff:198.51.100.7")), trust, true)).toBe("198.51.100.7");
  });
});

describe("hit", () => {
  it("floods of option requests hit the per-client limit, and only that client's", async () => {
    const client = `flood-${Date.now()}`;
    const { limit } = LIMITS.optionsPerClient;
    const results = [];
    for (let i = 0; i <= limit; i++) results.push(await hit("optionsPerClient", client));
    expect(results.slice(0, limit).every(Boolean)).toBe(true);
    expect(results[limit]).toBe(false);
    expect(await hit("optionsPerClient", `${client}-other`)).toBe(true);
  });
});
