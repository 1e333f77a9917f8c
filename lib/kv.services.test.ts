import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createUpstashStore, type KvStore } from "@/lib/kv";
import { kvContract } from "@/test/kv.contract";
import { startRedis, type RedisServer } from "@/scripts/services";
import { startUpstashRestServer, type UpstashRestServer } from "@/scripts/upstash-rest-server";

// The real @upstash/redis client, over HTTP, against a real redis-server behind a local
// stand-in for Upstash's REST API (scripts/upstash-rest-server.ts).

const SKIP_REASON = "redis-server not found on PATH; install it (apt-get install redis-server) — .ci/run does";
const TOKEN = "test-token";

let redis: RedisServer | null = null;
let rest: UpstashRestServer | null = null;

beforeAll(async () => {
  redis = await startRedis();
  if (!redis) {
    console.warn(`kv.services.test.ts skipped: ${SKIP_REASON}`);
    return;
  }
  rest = await startUpstashRestServer({ redisPort: redis.port, token: TOKEN });
});

afterAll(async () => {
  await rest?.close();
  await redis?.stop();
});

// Reported as skipped (with the reason) rather than passed when redis-server is missing.
beforeEach((ctx) => {
  if (!redis) ctx.skip(SKIP_REASON);
});

function restUrl(): string {
  if (!rest) throw new Error("Upstash REST server not started");
  return rest.url;
}

kvContract("upstash store (REST → redis-server)", async () => ({
  store: createUpstashStore({ url: restUrl(), token: TOKEN }),
}));

describe("upstash store", () => {
  it("rejects a wrong token", async () => {
    const store: KvStore = createUpstashStore({ url: restUrl(), token: "wrong-token" });
    await expect(store.ping()).rejects.toThrow(/Unauthorized/);
    await expect(store.get("any")).rejects.toThrow(/Unauthorized/);
  });

  it("fails fast while redis-server is down and recovers when it is back, without a new client", async () => {
    const store = createUpstashStore({ url: restUrl(), token: TOKEN });
    await store.set("outage-probe", "before", 60);
    const port = redis!.port;
    await redis!.stop();
    const started = Date.now();
    await expect(store.get("outage-probe")).rejects.toThrow(/^Upstash GET failed/);
    expect(Date.now() - started).toBeLessThan(1000);
    redis = await startRedis({ port });
    await store.set("outage-probe", "after", 60);
    expect(await store.get("outage-probe")).toBe("after");
  });

  it("REST stand-in base64-encodes strings only when asked, as Upstash does", async () => {
    const call = async (command: (string | number)[], headers: Record<string, string> = {}) => {
      const res = await fetch(restUrl(), {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}`, ...headers },
        body: JSON.stringify(command),
      });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    const b64 = { "Upstash-Encoding": "base64" };
    expect(await call(["SET", "encoding-probe", "hé", "EX", 60], b64)).toEqual({ status: 200, body: { result: "OK" } });
    expect(await call(["GET", "encoding-probe"], b64)).toEqual({ status: 200, body: { result: "aMOp" } });
    expect(await call(["GET", "encoding-probe"])).toEqual({ status: 200, body: { result: "hé" } });
    expect(await call(["INCR", "encoding-probe"], b64)).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^ERR /) } });
    expect(await call(["DEL", "encoding-probe"], b64)).toEqual({ status: 200, body: { result: 1 } });
  });
});
