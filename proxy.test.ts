import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { proxy } from "./proxy";

const request = (url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => new NextRequest(url, init);

describe("proxy", () => {
  it("under https: HSTS and upgrade-insecure-requests; over http: neither", async () => {
    const secure = await proxy(request("https://auth.example.com/login"));
    expect(secure.headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
    expect(secure.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
    const plain = await proxy(request("http://localhost:3000/login"));
    expect(plain.headers.get("strict-transport-security")).toBeNull();
    expect(plain.headers.get("content-security-policy")).not.toContain("upgrade-insecure-requests");
  });

  it("gives every response a new nonce, and never an inline-script allowance", async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const csp = (await proxy(request("http://localhost:3000/"))).headers.get("content-security-policy")!;
      nonces.add(csp.match(/'nonce-([^']+)'/)![1]!);
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    }
    expect(nonces.size).toBe(20);
  });

  const action = (headers: Record<string, string>, body = "[]") =>
    request("http://localhost:3000/login", { method: "POST", headers: { "next-action": "abc", host: "localhost:3000", "content-type": "text/plain;charset=UTF-8", ...headers }, body });

  it.each([
    ["another site", { origin: "https://evil.example" }],
    ["Origin: null", { origin: "null" }],
    ["no Origin", {}],
    ["a sibling subdomain", { origin: "http://evil.localhost:3000" }],
    ["Sec-Fetch-Site: cross-site", { origin: "http://localhost:3000", "sec-fetch-site": "cross-site" }],
  ])("refuses a write from %s", async (_, headers) => {
    expect((await proxy(action(headers))).status).toBe(403);
  });

  it("lets Resend's webhook POSTs through without an Origin (the route checks their signature), and nothing else", async () => {
    const json = { "content-type": "application/json" };
    expect((await proxy(request("http://localhost:3000/api/webhooks/resend", { method: "POST", headers: json, body: "{}" }))).status).toBe(200);
    expect((await proxy(request("http://localhost:3000/api/webhooks/resend/x", { method: "POST", headers: json, body: "{}" }))).status).toBe(403);
    expect((await proxy(request("http://localhost:3000/api/health", { method: "POST", headers: json, body: "{}" }))).status).toBe(403);
  });

  it("lets same-origin writes through, and refuses malformed action bodies with 400/413", async () => {
    const origin = { origin: "http://localhost:3000" };
    expect((await proxy(action(origin))).status).toBe(200);
    expect((await proxy(action(origin, "not json"))).status).toBe(400);
    expect((await proxy(action(origin, '{"a":1}'))).status).toBe(400);
    expect((await proxy(action(origin, `["${"x".repeat(1024 * 1024)}"]`))).status).toBe(413);
  });

  it("puts the CSP on what may be a document, not on server-action answers", async () => {
    const origin = { origin: "http://localhost:3000" };
    const answer = await proxy(action(origin));
    expect(answer.headers.get("content-security-policy")).toBeNull();
    expect(answer.headers.get("cache-control")).toBe("no-store");
    const noScriptForm = request("http://localhost:3000/login", { method: "POST", headers: { ...origin, host: "localhost:3000", "content-type": "application/x-www-form-urlencoded" }, body: "identifier=ada" });
    expect((await proxy(noScriptForm)).headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("sends signed-out visitors of /account to sign in, keeping where they were going", async () => {
    const response = await proxy(request("http://localhost:3000/account/confirm"));
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe("http://localhost:3000/login?next=%2Faccount%2Fconfirm");
    expect((await proxy(request("http://localhost:3000/account", { headers: { cookie: "session=x" } }))).status).toBe(200);
  });

  it("lets the passkey endpoints document through, keeping its own caching; every page stays no-store", async () => {
    const wellKnown = await proxy(request("https://auth.example.com/.well-known/passkey-endpoints"));
    expect(wellKnown.status).toBe(200);
    expect(wellKnown.headers.get("location")).toBeNull();
    expect(wellKnown.headers.get("cache-control")).toBeNull();
    expect((await proxy(request("https://auth.example.com/login"))).headers.get("cache-control")).toBe("no-store");
  });
});
