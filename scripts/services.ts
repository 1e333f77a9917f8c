/**
 * Real servers for the scripts, the services tests and e2e specs that start their own: PostgreSQL,
 * redis-server and `next start`, as child processes on 127.0.0.1 (scripts/processes.ts), the
 * ports they listen on, and small helpers for the in-process stand-ins. Tooling only.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import postgres from "postgres";
import { runToCompletion, startProcess, type ProcessOptions, type Proc } from "./processes";

/** How long PostgreSQL or redis-server may take to answer after starting. */
const WAIT_MS = 10_000;
/** `next start` loads the whole app (and readies an embedded database) before it answers. */
const NEXT_WAIT_MS = 90_000;

export type PortRange = { from: number; to: number };

/** Ports handed out from a range by this process, so two calls never get the same one. */
const handedOut = new Set<number>();

/**
 * A port that was free a moment ago (small race accepted for tests): one the OS picks, or the
 * first free one in `range` (inclusive) not handed out before.
 */
export async function freePort(range?: PortRange): Promise<number> {
  if (!range) return listenOnce(0);
  for (let port = range.from; port <= range.to; port++) {
    if (handedOut.has(port)) continue;
    try {
      await listenOnce(port);
      handedOut.add(port);
      return port;
    } catch {
      // taken: try the next one
    }
  }
  throw new Error(`no free port in ${range.from}-${range.to}`);
}

/** Binds 127.0.0.1:port (0: any), then lets go; resolves with the port that was bound. */
async function listenOnce(port: number): Promise<number> {
  const listening = await listenOnLoopback(http.createServer(), port);
  await listening.close();
  return Number(new URL(listening.url).port);
}

/**
 * Listens on 127.0.0.1 (port 0: any free one) and returns the base URL and a close() that also
 * drops keep-alive sockets, which would otherwise hold server.close() open.
 */
export async function listenOnLoopback(server: http.Server, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("unexpected server address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Stops the server but keeps its data and port, as an outage would; resume() starts it again. Both idempotent. */
type Outage = { pause(): Promise<void>; resume(): Promise<void> };

function restartable(start: () => Promise<Proc>): Outage {
  let running: Proc | null = null;
  return {
    pause: async () => {
      await running?.stop();
      running = null;
    },
    resume: async () => {
      running ??= await start();
    },
  };
}

/** Starts a server process and resolves once `ready`; stops it again if it never gets there. */
export async function startServer(what: string, command: string, args: string[], options: ProcessOptions, ready: () => Promise<boolean>, timeoutMs = WAIT_MS): Promise<Proc> {
  const proc = startProcess(what, command, args, options);
  try {
    await proc.waitUntil(ready, timeoutMs);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return proc;
}

export type RedisServer = Outage & { port: number; stop(): Promise<void> };

/** Starts a throwaway redis-server (no persistence), or returns null when it is not installed. */
export async function startRedis(opts: { port?: number; logFile?: string } = {}): Promise<RedisServer | null> {
  const binary = findOnPath("redis-server");
  if (!binary) return null;
  const port = opts.port ?? (await freePort());
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const server = restartable(() => startServer(`redis-server on port ${port}`, binary, args, { logFile: opts.logFile }, () => redisAnswers(port)));
  await server.resume();
  return { port, ...server, stop: server.pause };
}

/**
 * An ioredis client for redis-server on this port that fails at once instead of waiting: no
 * reconnecting and no retries (status "end" once the connection is lost: make a new client).
 */
export function redisClient(port: number): Redis {
  const client = new Redis({ host: "127.0.0.1", port, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  // Each command's own rejection reports a failure; without a listener ioredis would also log it.
  client.on("error", () => {});
  return client;
}

async function redisAnswers(port: number): Promise<boolean> {
  const client = redisClient(port);
  try {
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export type PostgresServer = Outage & {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/passwordless (trust authentication, loopback only). */
  url: string;
  /** Stops the server and deletes its data directory. Idempotent. */
  stop(): Promise<void>;
  /** Turns logging of every statement on or off (for counting one request's queries). */
  logStatements(on: boolean): Promise<void>;
  /** Size of the log so far, to mark a point in it. */
  logOffset(): number;
  /** SQL of the statements logged between two marks. */
  statementsBetween(from: number, to: number): string[];
};

/**
 * Starts a throwaway PostgreSQL cluster (initdb into a temporary directory, TCP on 127.0.0.1
 * only, durability off for speed) with an empty `passwordless` database, its output appended to
 * logFile; or returns null when PostgreSQL is not installed.
 */
export async function startPostgres(opts: { port: number; logFile: string }): Promise<PostgresServer | null> {
  const bin = postgresBinDir();
  if (!bin) return null;
  const { port, logFile } = opts;
  // PostgreSQL refuses to run as root: as root, run it as the `postgres` user the package created.
  const owner = process.getuid?.() === 0 ? systemUser("postgres") : undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "passwordless-pg-"));
  const args = ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"];
  // SIGINT is PostgreSQL's fast shutdown: it does not wait for the app's pooled connections.
  const server = restartable(() => startServer(`postgres on port ${port}`, path.join(bin, "postgres"), args, { owner, stopSignal: "SIGINT", logFile }, () => postgresAnswers(port)));
  const stop = async () => {
    await server.pause();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    if (owner) chownSync(dataDir, owner.uid, owner.gid);
    const initdbArgs = ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"];
    await runToCompletion("initdb", path.join(bin, "initdb"), initdbArgs, { owner, logFile, timeoutMs: 60_000 });
    await server.resume();
    await withAdmin(port, (sql) => sql`create database passwordless`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/passwordless`,
    ...server,
    stop,
    async logStatements(on) {
      await withAdmin(port, async (sql) => {
        await sql.unsafe(`alter system set log_statement = '${on ? "all" : "none"}'`);
        await sql`select pg_reload_conf()`;
      });
      // Each backend rereads the configuration when it next goes idle; give them a moment.
      await new Promise((resolve) => setTimeout(resolve, 300));
    },
    logOffset: () => statSync(logFile).size,
    statementsBetween(from, to) {
      const text = readFileSync(logFile).subarray(from, to).toString("utf8");
      return [...text.matchAll(/LOG:\s+(?:statement|execute [^:]*):\s*(.*)/g)].map((m) => m[1] ?? "").filter((sql) => !/pg_reload_conf|alter system/i.test(sql));
    },
  };
}

/** Runs statements as the superuser over a short-lived connection. */
async function withAdmin(port: number, run: (sql: postgres.Sql) => Promise<unknown>): Promise<void> {
  const sql = postgres({ host: "127.0.0.1", port, user: "postgres", database: "postgres", max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await run(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function postgresAnswers(port: number): Promise<boolean> {
  return withAdmin(port, (sql) => sql`select 1`).then(
    () => true,
    () => false,
  );
}

/** Newest installed PostgreSQL's bin directory: initdb on PATH, else Debian's layout. */
function postgresBinDir(): string | null {
  const onPath = findOnPath("initdb");
  if (onPath) return path.dirname(onPath);
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], "bin") : null;
}

/** uid and gid of a system user. */
function systemUser(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync("id", [flag, name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new Error(`PostgreSQL can't run as root and there is no "${name}" user to run it as`);
  }
}

/** Absolute path of an executable found on PATH, or null. */
function findOnPath(name: string): string | null {
  const found = spawnSync("sh", ["-c", 'command -v "$1"', "sh", name], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : null;
}

export type NextServer = { port: number; url: string; pid: number; stop(): Promise<void> };

/**
 * Runs a production build (`next start`) of `dir` (default: this project) on 127.0.0.1:<port>
 * with `env` on top of this process's environment (a key set to undefined is removed), its output
 * appended to logFile; resolves once `readyPath` answers without a server error (/api/health: once
 * the backends answer, which for PGlite in memory takes seconds of initdb).
 */
export async function startNext(opts: {
  port: number;
  env: Record<string, string | undefined>;
  logFile: string;
  dir?: string;
  readyPath?: string;
  nodeFlags?: string[];
  timeoutMs?: number;
}): Promise<NextServer> {
  const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  const url = `http://127.0.0.1:${opts.port}`;
  const args = [...(opts.nodeFlags ?? []), nextBin, "start", "-p", String(opts.port), "-H", "127.0.0.1"];
  const env = { ...process.env, ...opts.env, NODE_ENV: "production" as const };
  const ready = async () => ((await httpStatus(`${url}${opts.readyPath ?? "/api/health"}`)) ?? 500) < 500;
  const proc = await startServer(`next start on port ${opts.port}`, process.execPath, args, { cwd: opts.dir, env, logFile: opts.logFile }, ready, opts.timeoutMs ?? NEXT_WAIT_MS);
  return { port: opts.port, url, pid: proc.pid, stop: proc.stop };
}

/** The status a GET of `url` answers with, or null when nothing answers in time. */
export async function httpStatus(url: string, timeoutMs = 2000): Promise<number | null> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).catch(() => null);
  await res?.body?.cancel();
  return res?.status ?? null;
}

/** A request's whole body. */
export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Answers with `body` as JSON. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * This process's environment with the app's variables unset (a developer's shell may set them):
 * each script sets its own. Unset as undefined, so that startNext's merge drops them too.
 */
export function withoutAppEnv(): NodeJS.ProcessEnv {
  const app = /^(APP_URL|RP_|SESSION_SECRET|DATABASE_|PGLITE_|UPSTASH_|KV_|RESEND_|EMAIL_FROM|ALLOW_EMBEDDED|DEV_OUTBOX|TRUST_PROXY|VERCEL)/;
  return { ...process.env, ...Object.fromEntries(Object.keys(process.env).filter((name) => app.test(name)).map((name) => [name, undefined])) };
}
