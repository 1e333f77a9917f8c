/**
 * The backends a production deployment has, for `npm run test:services` and `npm run soak`:
 * PostgreSQL (migrated), redis-server behind a TCP proxy that can slow it down, the Upstash REST
 * stand-in in front of that, and the Resend stand-in; plus the app's environment for them. All on
 * 127.0.0.1, each stopped by `cleanup`. Tooling only: never imported by app code.
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
  redisDelay: DelayProxy;
  mailUrl: string;
  /** The app's environment for these backends (add APP_URL). */
  env: Record<string, string>;
};

type Step = <T>(name: string, run: () => Promise<T>) => Promise<T>;

export async function startBackends(cleanup: Cleanup, ports: PortRange, logDir: string, step: Step = (_name, run) => run()): Promise<Backends> {
  const pg = await step("PostgreSQL", async () => {
    const server = await startPostgres({ port: await freePort(ports), logFile: path.join(logDir, "postgres.log") });
    if (!server) throw new Error("PostgreSQL not found: apt-get install postgresql (.ci/run does)");
    cleanup.add("PostgreSQL", server.stop);
    return server;
  });
  const redis = await step("redis-server", async () => {
    const server = await startRedis({ port: await freePort(ports), logFile: path.join(logDir, "redis.log") });
    if (!server) throw new Error("redis-server not found: apt-get install redis-server (.ci/run does)");
    cleanup.add("redis-server", server.stop);
    return server;
  });
  const redisDelay = await startDelayProxy(redis.port, await freePort(ports));
  cleanup.add("Redis delay proxy", redisDelay.close);
  const upstashToken = randomBytes(16).toString("hex");
  const upstash = await step("Upstash REST stand-in", async () => {
    const server = await startUpstashRestServer({ redisPort: redisDelay.port, token: upstashToken, port: await freePort(ports) });
    cleanup.add("Upstash REST stand-in", server.close);
    return server;
  });
  const resendKey = `re_${randomBytes(12).toString("hex")}`;
  const mail = await step("Resend stand-in", async () => {
    const server = await startMailRecorder({ apiKey: resendKey, port: await freePort(ports) });
    cleanup.add("Resend stand-in", server.close);
    return server;
  });
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
  await step("npm run db:migrate", () =>
    runToCompletion("npm run db:migrate", "npm", ["run", "db:migrate"], { env: { ...process.env, ...env }, logFile: path.join(logDir, "migrate.log"), timeoutMs: 120_000 }),
  );
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
