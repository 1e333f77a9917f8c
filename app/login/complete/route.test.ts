import { afterEach, describe, expect, it, vi } from "vitest";

const redeem = vi.hoisted(() => vi.fn());
vi.mock("@/lib/sign-in", () => ({ redeemSignInGrant: redeem }));

const { POST } = await import("./route");

function collect(grant = "g".repeat(43)): Promise<Response> {
  return POST(new Request("http://localhost:3000/login/complete", { method: "POST", body: new URLSearchParams({ grant, next: "/account" }) }));
}

describe("POST /login/complete", () => {
  afterEach(() => {
    redeem.mockReset();
    vi.restoreAllMocks();
  });

  it("signs in and sends the browser on", async () => {
    redeem.mockResolvedValue({ ok: true });
    const response = await collect();
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/account");
  });

  // Found by `npm run soak`: with PostgreSQL or Redis down, the throw reached Next as a bare 500
  // with an empty body, which the browser shows as its own error page.
  it("answers a backend outage with a 503 page that says to try again, and no details", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    redeem.mockRejectedValue(new Error("Failed query: select ... [cause]: connect ECONNREFUSED 127.0.0.1:5432"));
    const response = await collect();
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const html = await response.text();
    expect(html).toContain("We can't reach one of our services right now. Please try again in a moment.");
    expect(html).toContain('href="/login?next=%2Faccount"');
    expect(html).not.toMatch(/ECONNREFUSED|Failed query|5432/);
  });
});
