import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { KvStore } from "@/lib/kv";

/**
 * Behaviour every KvStore backend must share. Run by kv.test.ts (memory, fake clock) and
 * kv.services.test.ts (real @upstash/redis client against redis-server, real time).
 *
 * `advance` moves a fake clock; without it the tests wait in real time, so TTLs stay at 1 s.
 * makeStore runs lazily on first use, so a caller may skip every test before a backend exists.
 */
export function kvContract(
  name: string,
  makeStore: () => Promise<{ store: KvStore; advance?: (ms: number) => void }>,
): void {
  describe(name, () => {
    let backend: ReturnType<typeof makeStore> | undefined;
    const setup = async () => {
      backend ??= makeStore();
      const { store, advance } = await backend;
      const elapse = async (ms: number) => {
        if (advance) advance(ms);
        else await new Promise((resolve) => setTimeout(resolve, ms));
      };
      return { store, elapse };
    };

    // Unique per run and per test: a persistent backend never sees keys from another test or run.
    const run = randomUUID();
    let counter = 0;
    const key = (label: string) => `kv-contract:${run}:${label}:${++counter}`;

    it("set then get returns the value", async () => {
      const { store } = await setup();
      const k = key("roundtrip");
      await store.set(k, "hello", 60);
      expect(await store.get(k)).toBe("hello");
      expect(await store.get(k)).toBe("hello"); // get does not consume
    });

    it("set overwrites an existing value", async () => {
      const { store } = await setup();
      const k = key("overwrite");
      await store.set(k, "first", 60);
      await store.set(k, "second", 60);
      expect(await store.get(k)).toBe("second");
    });

    it("get of a missing key is null", async () => {
      const { store } = await setup();
      expect(await store.get(key("missing"))).toBeNull();
    });

    it("take returns the value once, then null", async () => {
      const { store } = await setup();
      const k = key("take");
      await store.set(k, "once", 60);
      expect(await store.take(k)).toBe("once");
      expect(await store.take(k)).toBeNull();
      expect(await store.get(k)).toBeNull();
      expect(await store.take(key("take-missing"))).toBeNull();
    });

    it("of 20 concurrent takes of one key, exactly one gets the value", async () => {
      const { store } = await setup();
      const k = key("take-race");
      await store.set(k, "prize", 60);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.take(k)));
      expect(results.filter((r) => r !== null)).toEqual(["prize"]);
    });

    it("setIfAbsent stores a missing key once; of 20 concurrent calls exactly one wins; it expires", async () => {
      const { store, elapse } = await setup();
      const k = key("nx");
      expect(await store.setIfAbsent(k, "first", 1)).toBe(true);
      expect(await store.setIfAbsent(k, "second", 60)).toBe(false);
      expect(await store.get(k)).toBe("first");
      const race = key("nx-race");
      const results = await Promise.all(Array.from({ length: 20 }, () => store.setIfAbsent(race, "x", 60)));
      expect(results.filter(Boolean)).toHaveLength(1);
      await elapse(1100);
      expect(await store.setIfAbsent(k, "again", 60)).toBe(true);
    });

    it("increment counts 1, 2, 3 and the counter reads back as a string", async () => {
      const { store } = await setup();
      const k = key("count");
      expect(await store.increment(k, 60)).toBe(1);
      expect(await store.increment(k, 60)).toBe(2);
      expect(await store.increment(k, 60)).toBe(3);
      expect(await store.get(k)).toBe("3");
    });

    it("concurrent increments each get a distinct count", async () => {
      const { store } = await setup();
      const k = key("count-race");
      const counts = await Promise.all(Array.from({ length: 20 }, () => store.increment(k, 60)));
      expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    it("decrement lowers an existing counter, keeps its TTL, and leaves a missing key missing", async () => {
      const { store, elapse } = await setup();
      const k = key("decrement");
      expect(await store.increment(k, 1)).toBe(1);
      expect(await store.increment(k, 1)).toBe(2);
      expect(await store.decrement(k)).toBe(1);
      expect(await store.get(k)).toBe("1");
      await elapse(1200);
      // Not extended by the decrement, and not brought back below zero once gone.
      expect(await store.decrement(k)).toBeNull();
      expect(await store.get(k)).toBeNull();
      expect(await store.increment(k, 60)).toBe(1);
      const missing = key("decrement-missing");
      expect(await store.decrement(missing)).toBeNull();
      expect(await store.get(missing)).toBeNull();
    });

    it("concurrent increments and decrements of one counter net out exactly", async () => {
      const { store } = await setup();
      const k = key("decrement-race");
      await store.increment(k, 60);
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? store.increment(k, 60) : store.decrement(k))));
      expect(await store.get(k)).toBe("1");
    });

    it("increment of a non-integer value rejects", async () => {
      const { store } = await setup();
      const k = key("count-text");
      await store.set(k, "not a number", 60);
      await expect(store.increment(k, 60)).rejects.toThrow(/not an integer/);
      await expect(store.decrement(k)).rejects.toThrow(/not an integer/);
      expect(await store.get(k)).toBe("not a number");
    });

    it("set keys expire after their TTL", async () => {
      const { store, elapse } = await setup();
      const k = key("expire-set");
      const t = key("expire-take");
      await store.set(k, "short-lived", 1);
      await store.set(t, "short-lived", 1);
      await elapse(500);
      expect(await store.get(k)).toBe("short-lived");
      await elapse(700);
      expect(await store.get(k)).toBeNull();
      expect(await store.take(t)).toBeNull();
    });

    it("increment does not extend the TTL, and an expired counter restarts at 1 with a fresh TTL", async () => {
      const { store, elapse } = await setup();
      const k = key("window");
      expect(await store.increment(k, 1)).toBe(1);
      await elapse(600);
      expect(await store.increment(k, 1)).toBe(2); // same window
      await elapse(600);
      // 1.2 s after creation: had the 2nd increment extended the TTL (or expiry been ignored), this would be 3.
      expect(await store.increment(k, 1)).toBe(1);
      await elapse(600);
      expect(await store.increment(k, 1)).toBe(2); // the new window got its own TTL...
      await elapse(600);
      expect(await store.get(k)).toBeNull(); // ...which also ran out
    });

    it("set after a counter expired replaces it", async () => {
      const { store, elapse } = await setup();
      const k = key("expired-then-set");
      await store.increment(k, 1);
      await elapse(1200);
      await store.set(k, "fresh", 60);
      expect(await store.get(k)).toBe("fresh");
    });

    it("del removes a key; deleting a missing key is fine", async () => {
      const { store } = await setup();
      const k = key("del");
      await store.set(k, "doomed", 60);
      await store.del(k);
      expect(await store.get(k)).toBeNull();
      await store.del(key("del-missing"));
    });

    it("values round-trip exactly", async () => {
      const { store } = await setup();
      const values = [
        "héllo wörld — 你好 🌍",
        JSON.stringify({ challenge: "abc", nested: { list: [1, "two", null], emoji: "🔑" } }),
        "aGVsbG8=", // base64 of "hello": must not be decoded
        "T0s=", // base64 of "OK"
        "OK",
        "PONG",
        "QUEUED",
        "123",
        "null",
        "true",
        "",
        "  padded  ",
        "line\nbreak\r\nand\ttab",
        '"quoted"',
        "x".repeat(10_000),
      ];
      for (const value of values) {
        const k = key("value");
        await store.set(k, value, 60);
        expect(await store.get(k)).toBe(value);
        expect(await store.take(k)).toBe(value);
      }
    });

    it("rejects a TTL that is not a positive integer, storing nothing", async () => {
      const { store } = await setup();
      const k = key("bad-ttl");
      for (const ttl of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(store.set(k, "v", ttl)).rejects.toThrow(RangeError);
        await expect(store.increment(k, ttl)).rejects.toThrow(RangeError);
      }
      expect(await store.get(k)).toBeNull();
    });

    it("ping resolves", async () => {
      const { store } = await setup();
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
