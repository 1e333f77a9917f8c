import "server-only";
import { Redis } from "@upstash/redis";
import { getConfig } from "@/lib/env";

/**
 * Ephemeral key-value store for short-lived state (challenges, one-time codes, rate-limit counters).
 * Two backends with identical semantics: Upstash Redis (REST) in production, an in-process Map
 * for development and tests. Values are strings; callers JSON-encode themselves.
 */
export interface KvStore {
  readonly kind: "memory" | "upstash";
  /** Store value under key, expiring after ttlSeconds (integer >= 1). Overwrites. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Read without consuming (null when missing or expired). */
  get(key: string): Promise<string | null>;
  /** Atomic get-and-delete (Redis GETDEL): of N concurrent takes of one key, exactly one gets the value. */
  take(key: string): Promise<string | null>;
  /** Atomic set-if-absent (Redis SET NX EX): true when this call stored it; of N concurrent calls, exactly one is true. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Atomic increment; returns the new count. The TTL is set when the key is created by this increment and never extended by later increments (fixed window). */
  increment(key: string, ttlSeconds: number): Promise<number>;
  /**
   * Atomic decrement of an existing counter, its TTL untouched; returns the new count, or null when
   * the key is missing or expired, which stays missing: giving back a reserved slot can never start
   * a window below zero.
   */
  decrement(key: string): Promise<number | null>;
  del(key: string): Promise<void>;
  /** Throws when the backend does not answer (used by /api/health). */
  ping(): Promise<void>;
}

/** A TTL that is not a positive integer is a programmer error; fail loudly instead of storing forever. */
function assertTtl(ttlSeconds: number): void {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new RangeError(`ttlSeconds must be an integer >= 1, got ${ttlSeconds}`);
  }
}

type Entry = { value: string; expiresAt: number };

/** Full sweep of expired entries after this many writes: keeps memory bounded at O(1) amortized cost. */
const SWEEP_EVERY_WRITES = 1000;

/**
 * In-process store. Single server only: state is lost on restart and not shared between instances.
 * Everything is synchronous inside, so each operation is atomic with respect to the event loop.
 */
// Reads the clock through Date at call time, so a test clock (vi.setSystemTime) applies.
export function createMemoryStore(now: () => number = () => Date.now()): KvStore {
  const entries = new Map<string, Entry>();
  let writesSinceSweep = 0;

  // Redis treats a key as expired once now > expireAt (millisecond precision); match it.
  const isExpired = (entry: Entry) => now() > entry.expiresAt;

  const live = (key: string): Entry | null => {
    const entry = entries.get(key);
    if (!entry) return null;
    if (isExpired(entry)) {
      entries.delete(key);
      return null;
    }
    return entry;
  };

  const noteWrite = () => {
    writesSinceSweep += 1;
    if (writesSinceSweep < SWEEP_EVERY_WRITES) return;
    writesSinceSweep = 0;
    for (const [key, entry] of entries) {
      if (isExpired(entry)) entries.delete(key);
    }
  };

  return {
    kind: "memory",
    async set(key, value, ttlSeconds) {
      assertTtl(ttlSeconds);
      noteWrite();
      entries.set(key, { value, expiresAt: now() + ttlSeconds * 1000 });
    },
    async get(key) {
      return live(key)?.value ?? null;
    },
    async take(key) {
      const entry = live(key);
      if (!entry) return null;
      entries.delete(key);
      return entry.value;
    },
    async setIfAbsent(key, value, ttlSeconds) {
      assertTtl(ttlSeconds);
      if (live(key)) return false;
      noteWrite();
      entries.set(key, { value, expiresAt: now() + ttlSeconds * 1000 });
      return true;
    },
    async increment(key, ttlSeconds) {
      assertTtl(ttlSeconds);
      const entry = live(key);
      if (!entry) {
        noteWrite();
        entries.set(key, { value: "1", expiresAt: now() + ttlSeconds * 1000 });
        return 1;
      }
      // Same rule as Redis INCR: only a base-10 integer string can be incremented.
      if (!/^(0|-?[1-9]\d*)$/.test(entry.value) || !Number.isSafeInteger(Number(entry.value))) {
        throw new Error("ERR value is not an integer or out of range");
      }
      const count = Number(entry.value) + 1;
      entry.value = String(count); // expiresAt untouched: fixed window
      return count;
    },
    async decrement(key) {
      const entry = live(key);
      if (!entry) return null;
      if (!/^(0|-?[1-9]\d*)$/.test(entry.value) || !Number.isSafeInteger(Number(entry.value))) {
        throw new Error("ERR value is not an integer or out of range");
      }
      const count = Number(entry.value) - 1;
      entry.value = String(count);
      return count;
    },
    async del(key) {
      entries.delete(key);
    },
    async ping() {
      // Always reachable: it lives in this process.
    },
  };
}

/** How long one Upstash request may take before the page gives up on it. */
const UPSTASH_TIMEOUT_MS = 5000;

/**
 * Upstash errors quote the whole command, values included (emails, secret hashes); server logs
 * get the reason only.
 */
async function upstashCall<T>(command: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message.split(", command was:")[0] : "unknown error";
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
    throw new Error(`Upstash ${command} failed: ${message}${cause}`);
  }
}

/** DECR only when the key exists (a Lua false is a nil reply). */
const DECREMENT_EXISTING = "if redis.call('EXISTS', KEYS[1]) == 0 then return false end return redis.call('DECR', KEYS[1])";

/** Upstash Redis over its REST API (works from serverless functions: no TCP connection to keep). */
export function createUpstashStore(opts: { url: string; token: string; timeoutMs?: number }): KvStore {
  const timeoutMs = opts.timeoutMs ?? UPSTASH_TIMEOUT_MS;
  // automaticDeserialization: false keeps values as the exact strings stored (by default the
  // client JSON.parses them, so "123" would come back as a number). Response encoding stays at
  // the client's default (base64), which keeps non-ASCII values intact.
  // The client retries network errors 5 times with growing waits (~4.3 s) by default; one quick
  // retry covers a stale keep-alive socket, and an outage then fails the page at once. The signal
  // must be a function: an aborted plain signal makes the client return "Aborted" as a result.
  const redis = new Redis({
    url: opts.url,
    token: opts.token,
    automaticDeserialization: false,
    retry: { retries: 1, backoff: () => 50 },
    signal: () => AbortSignal.timeout(timeoutMs),
  });

  const asStringOrNull = (command: string, value: unknown): string | null => {
    if (value === null || typeof value === "string") return value;
    throw new Error(`Upstash ${command}: expected a string or null, got ${typeof value}`);
  };

  return {
    kind: "upstash",
    async set(key, value, ttlSeconds) {
      assertTtl(ttlSeconds);
      await upstashCall("SET", () => redis.set(key, value, { ex: ttlSeconds }));
    },
    async get(key) {
      return asStringOrNull("GET", await upstashCall("GET", () => redis.get<string>(key)));
    },
    async take(key) {
      return asStringOrNull("GETDEL", await upstashCall("GETDEL", () => redis.getdel<string>(key)));
    },
    async setIfAbsent(key, value, ttlSeconds) {
      assertTtl(ttlSeconds);
      // SET NX answers "OK" when it stored the value, null when the key existed.
      return (await upstashCall("SET", () => redis.set(key, value, { nx: true, ex: ttlSeconds }))) === "OK";
    },
    async increment(key, ttlSeconds) {
      assertTtl(ttlSeconds);
      // One round trip, atomic: EXPIRE ... NX only sets a TTL when the key has none, i.e. when this
      // INCR created it, so later increments never extend the window.
      const [count] = await upstashCall("INCR", () => redis.multi().incr(key).expire(key, ttlSeconds, "NX").exec());
      if (typeof count !== "number") throw new Error(`Upstash INCR: expected a number, got ${typeof count}`);
      return count;
    },
    async decrement(key) {
      // DECR alone would create a missing key at -1 with no TTL; the script decrements only a key
      // that exists, in one atomic step.
      const count = await upstashCall("DECR", () => redis.eval<[], unknown>(DECREMENT_EXISTING, [key], []));
      if (count !== null && typeof count !== "number") throw new Error(`Upstash DECR: expected a number or null, got ${typeof count}`);
      return count;
    },
    async del(key) {
      await upstashCall("DEL", () => redis.del(key));
    },
    async ping() {
      await upstashCall("PING", () => redis.ping());
    },
  };
}

const globalKv = globalThis as unknown as { __passwordlessKv?: KvStore };

/** The app's store. Memoized on globalThis so Next dev hot reloads keep a single in-memory store. */
export function kv(): KvStore {
  if (!globalKv.__passwordlessKv) {
    const upstash = getConfig().upstash;
    globalKv.__passwordlessKv = upstash ? createUpstashStore(upstash) : createMemoryStore();
  }
  return globalKv.__passwordlessKv;
}
