/**
 * The backends a production deployment has, for `npm run test:services`, `npm run soak`,
 * `npm run check:vercel` and the bench's real-services mode: PostgreSQL (migrated), redis-server
 * behind a TCP proxy that can slow it down, the Upstash REST stand-in in front of that, and the
 * Resend stand-in; plus the app's environment for them. All on 127.0.0.1, each stopped by
 * `cleanup`. Tooling only: never imported by app code.
 */
import { randomBytes } from "node:crypto";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startMailRecorder } from "./mail-recorder";
import { runToCompletion, type Cleanup } from "./processes";
import { freePort, startPostgres, startRedis, type PortRange, type PostgresServer, type RedisServer } from "./services";
import { startUpstashRestServer } from "./upstash-rest-server";

export type DelayProxy = { port: number; setDelay(ms: number): void; close(): Promise<void> };
export type Backends = {
  pg: PostgresServer;
  redis: RedisServer;
  /** Between the Upstash stand-in and redis-server: setDelay(500) makes every answer 500 ms late. */
  redisDelay: DelayProxy | null;
  mailUrl: string;
  /** The app's environment for these backends (add APP_URL). */
  env: Record<string, string>;
};

/** PostgreSQL or redis-server is not installed. */
export class NotInstalled extends Error {}

type Options = {
  /** Announces and times each start (Script.step); default: silent. */
  step?: <T>(name: string, run: () => Promise<T>) => Promise<T>;
  /** Apply the migrations (default); check:vercel leaves that to the build it checks. */
  migrate?: boolean;
  /** Without it (the bench), the Upstash stand-in talks to redis-server directly and redisDelay is null. */
  delayProxy?: boolean;
};

export async function startBackends(cleanup: Cleanup, ports: PortRange, logDir: string, opts: Options = {}): Promise<Backends> {
  const step = opts.step ?? ((_name, run) => run());
  const started = async <T extends { stop?: () => Promise<void>; close?: () => Promise<void> }>(what: string, start: () => Promise<T | null>, missing = "") => {
    const server = await step(what, start);
    if (!server) throw new NotInstalled(`${what} not found: apt-get install ${missing} (.ci/run does)`);
    const stop = server.stop ?? server.close;
    if (stop) cleanup.add(what, stop);
    return server;
  };
  const logFile = (name: string) => path.join(logDir, `${name}.log`);
  const pg = await started("PostgreSQL", async () => startPostgres({ port: await freePort(ports), logFile: logFile("postgres") }), "postgresql");
  const redis = await started("redis-server", async () => startRedis({ port: await freePort(ports), logFile: logFile("redis") }), "redis-server");
  const redisDelay = opts.delayProxy === false ? null : await started("Redis delay proxy", async () => startDelayProxy(redis.port, await freePort(ports)));
  const upstashToken = randomBytes(16).toString("hex");
  const upstash = await started("Upstash REST stand-in", async () => startUpstashRestServer({ redisPort: redisDelay?.port ?? redis.port, token: upstashToken, port: await freePort(ports) }));
  const resendKey = `re_${randomBytes(12).toString("hex")}`;
  const mail = await started("Resend stand-in", async () => startMailRecorder({ apiKey: resendKey, port: await freePort(ports) }));
  const env: Record<string, string> = {
    RP_ORIGINS: "https://passwordless.example,https://passwordless.example.de",
    SESSION_SECRET: randomBytes(32).toString("base64url"),
    DATABASE_URL: pg.url,
    UPSTASH_REDIS_REST_URL: upstash.url,
    UPSTASH_REDIS_REST_TOKEN: upstashToken,
    RESEND_API_KEY: resendKey,
    RESEND_BASE_URL: mail.url,
    EMAIL_FROM: "Passwordless <auth@passwordless.test>",
    ALLOW_EMBEDDED: "",
    // As behind a proxy of your own; each test or virtual browser sends its own X-Forwarded-For,
    // so many sign-ups don't share one rate-limit bucket.
    TRUST_PROXY: "xff",
  };
  if (opts.migrate !== false) {
    await step("npm run db:migrate", () => runToCompletion("npm run db:migrate", "npm", ["run", "db:migrate"], { env: { ...process.env, ...env }, logFile: logFile("migrate"), timeoutMs: 120_000 }));
  }
  return { pg, redis, redisDelay, mailUrl: mail.url, env };
}

/**
 * A TCP proxy on 127.0.0.1 to `targetPort` that holds each chunk the target sends for the
 * delay current when it came, in order. A connection the target drops is dropped here too.
 */
export async function startDelayProxy(targetPort: number, port: number): Promise<DelayProxy> {
  let delay = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const target = net.connect(targetPort, "127.0.0.1");
    for (const s of [client, target]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    client.on("data", (chunk) => target.write(chunk));
    client.on("close", () => target.destroy());
    // One queue per connection, drained in order: timers alone may fire out of order.
    const held: { at: number; chunk: Buffer }[] = [];
    let draining = false;
    let targetClosed = false;
    const drain = async () => {
      draining = true;
      for (let next = held.shift(); next; next = held.shift()) {
        if (next.at > Date.now()) await sleep(next.at - Date.now());
        client.write(next.chunk);
      }
      draining = false;
      if (targetClosed) client.destroy();
    };
    target.on("data", (chunk) => {
      held.push({ at: Date.now() + delay, chunk });
      if (!draining) void drain();
    });
    // After the chunks still held, as the target's own close would have come after them.
    target.on("close", () => {
      targetClosed = true;
      if (!draining) client.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    port,
    setDelay: (ms) => (delay = ms),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
