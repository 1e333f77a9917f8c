import http from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createMemoryStore, createUpstashStore, kv } from "@/lib/kv";
import { kvContract } from "@/test/kv.contract";
import { freePort } from "@/scripts/services";

// kv() reads the app configuration; here it has no Upstash credentials.
vi.mock("@/lib/env", () => ({ getConfig: () => ({ upstash: null }) }));

kvContract("memory store", async () => {
  let fakeNow = Date.parse("2030-01-01T00:00:00Z");
  return {
    store: createMemoryStore(() => fakeNow),
    advance: (ms: number) => {
      fakeNow += ms;
    },
  };
});

describe("kv()", () => {
  it("uses the memory store without Upstash credentials, one instance per process", () => {
    expect(kv().kind).toBe("memory");
    expect(kv()).toBe(kv());
  });
});

describe("upstash store when Upstash misbehaves", () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  /** A local HTTP server on 127.0.0.1 answering every request with `handler`. */
  async function serve(handler: http.RequestListener): Promise<string> {
    server = http.createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("no address");
    return `http://127.0.0.1:${address.port}`;
  }

  it("fails fast when nothing listens, instead of backing off for seconds", async () => {
    const store = createUpstashStore({ url: `http://127.0.0.1:${await freePort()}`, token: "t" });
    const started = Date.now();
    await expect(store.get("k")).rejects.toThrow(/^Upstash GET failed/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("gives up on a request that never gets an answer", async () => {
    const url = await serve(() => {
      // never answers
    });
    const store = createUpstashStore({ url, token: "t", timeoutMs: 200 });
    const started = Date.now();
    await expect(store.ping()).rejects.toThrow(/^Upstash PING failed/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("keeps the command's values out of the error", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(400, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: "ERR out of memory" }));
    });
    const store = createUpstashStore({ url, token: "t" });
    const failure = await store.set("signup:abc", '{"email":"someone@example.test","codeHash":"$argon2id$secret"}', 60).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe("Upstash SET failed: ERR out of memory");
  });
});
