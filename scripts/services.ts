/**
 * Real servers for *.services.test.ts and `npm run test:services`, started as child processes on
 * local ports. Test tooling only: never imported by app code.
 */
import { spawn } from "node:child_process";
import type http from "node:http";
import { accessSync, chownSync, constants, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";

/** How long a server may take to start or stop before we give up. */
const WAIT_MS = 10_000;
/** `next start` loads the whole app before it answers. */
const NEXT_WAIT_MS = 30_000;

export type RedisServer = { port: number; stop(): Promise<void> };

/** Absolute path of an executable found on PATH, or null. */
export function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** Ports handed out from a range by this process, so two calls never get the same one. */
const handedOut = new Set<number>();

/**
 * A port that was free a moment ago (small race accepted for tests): one the OS picks, or the
 * first free one in `range` (inclusive) not handed out before.
 */
export async function freePort(range?: { from: number; to: number }): Promise<number> {
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
function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : 0;
      server.close(() => (bound ? resolve(bound) : reject(new Error("could not determine a free port"))));
    });
  });
}

/** Starts a throwaway redis-server (no persistence), or returns null when it is not installed. */
export async function startRedis(opts: { port?: number } = {}): Promise<RedisServer | null> {
  const binary = findOnPath("redis-server");
  if (!binary) return null;
  const port = opts.port ?? (await freePort());
  const service = spawnService(`redis-server on port ${port}`, binary, [
    "--port", String(port),
    "--bind", "127.0.0.1",
    "--save", "",
    "--appendonly", "no",
  ]);
  try {
    await service.waitUntil(() => redisPing(port));
  } catch (error) {
    await service.stop();
    throw error;
  }
  return { port, stop: service.stop };
}

export type PostgresServer = {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/passwordless (trust authentication, loopback only). */
  url: string;
  /** Stops the server but keeps its data, as an outage would; resume() starts it again on the same port. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Stops the server and deletes its data directory. Idempotent. */
  stop(): Promise<void>;
};

/**
 * Starts a throwaway PostgreSQL cluster (initdb into a temporary directory, TCP on 127.0.0.1
 * only, durability off for speed) with an empty `passwordless` database, or returns null when
 * PostgreSQL is not installed (Debian keeps its binaries in /usr/lib/postgresql/<version>/bin).
 */
export async function startPostgres(opts: { port?: number } = {}): Promise<PostgresServer | null> {
  const bin = postgresBinDir();
  if (!bin) return null;
  // PostgreSQL refuses to run as root: as root, run it as the `postgres` user the package created.
  const owner = process.getuid?.() === 0 ? systemUser("postgres") : undefined;
  const port = opts.port ?? (await freePort());
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "passwordless-pg-"));
  const removeData = () => rmSync(dataDir, { recursive: true, force: true });
  // Replaced at every (re)start; a holder, because the closures below reassign it.
  const running: { service: Service | null } = { service: null };
  const start = async () => {
    const service = spawnService(
      `postgres on port ${port}`,
      path.join(bin, "postgres"),
      ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
      // SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for the app's pooled connections.
      { owner, stopSignal: "SIGINT" },
    );
    running.service = service;
    await service.waitUntil(() => postgresReady(port));
  };
  try {
    if (owner) chownSync(dataDir, owner.uid, owner.gid);
    const initdb = spawnService("initdb", path.join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"], { owner });
    await initdb.exited();
    await start();
    await withAdmin(port, (sql) => sql`create database passwordless`);
  } catch (error) {
    await running.service?.stop();
    removeData();
    throw error;
  }
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/passwordless`,
    pause: async () => {
      await running.service?.stop();
    },
    resume: start,
    stop: async () => {
      await running.service?.stop();
      removeData();
    },
  };
}

export type NextServer = { port: number; url: string; stop(): Promise<void> };

/**
 * Runs the production build (`next start`) on 127.0.0.1:<port> with exactly `env` on top of this
 * process's environment, writing its output to logFile; resolves once /api/health answers 200.
 */
export async function startNext(opts: { port: number; env: Record<string, string>; logFile: string }): Promise<NextServer> {
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  const service = spawnService(`next start on port ${opts.port}`, process.execPath, [nextBin, "start", "-p", String(opts.port), "-H", "127.0.0.1"], {
    env: { ...process.env, ...opts.env },
    logFile: opts.logFile,
  });
  const health = `http://127.0.0.1:${opts.port}/api/health`;
  try {
    await service.waitUntil(async () => (await fetch(health, { signal: AbortSignal.timeout(2000) }).catch(() => null))?.status === 200, NEXT_WAIT_MS);
  } catch (error) {
    await service.stop();
    throw error;
  }
  return { port: opts.port, url: `http://127.0.0.1:${opts.port}`, stop: service.stop };
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

/** uid and gid of a system user, from /etc/passwd. */
function systemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (!uid || !gid) throw new Error(`PostgreSQL can't run as root and there is no "${name}" user to run it as`);
  return { uid: Number(uid), gid: Number(gid) };
}

/** Runs one statement as the superuser over a short-lived connection. */
async function withAdmin(port: number, run: (sql: postgres.Sql) => Promise<unknown>): Promise<void> {
  const sql = postgres({ host: "127.0.0.1", port, user: "postgres", database: "postgres", max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await run(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function postgresReady(port: number): Promise<boolean> {
  return withAdmin(port, (sql) => sql`select 1`).then(
    () => true,
    () => false,
  );
}

type Service = {
  /** Polls ready() until it resolves true; fails early if the process exits, and after timeoutMs. */
  waitUntil(ready: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  /** Resolves when a run-to-completion command exits 0; rejects with its output otherwise. */
  exited(): Promise<void>;
  /** The stop signal, then SIGKILL after WAIT_MS; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
};

type SpawnOptions = {
  /** Run as this user (needs root). */
  owner?: { uid: number; gid: number };
  stopSignal?: NodeJS.Signals;
  env?: NodeJS.ProcessEnv;
  /** Also write all output here (replacing what was there). */
  logFile?: string;
};

/** Spawns a server in the foreground, keeping the tail of its output for error messages. */
export function spawnService(what: string, binary: string, args: string[], options: SpawnOptions = {}): Service {
  const child = spawn(binary, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: options.env,
    // Another user may not be allowed into this directory.
    cwd: options.owner ? os.tmpdir() : undefined,
    uid: options.owner?.uid,
    gid: options.owner?.gid,
  });
  const log = options.logFile ? createWriteStream(options.logFile) : null;
  let output = "";
  const keep = (text: string) => {
    output = (output + text).slice(-4000);
    log?.write(text);
  };
  child.stdout.on("data", (chunk: Buffer) => keep(chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => keep(chunk.toString("utf8")));
  child.on("error", (error) => keep(`spawn error: ${error.message}\n`));
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  void exited.then(() => log?.end());
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;

  // If the test process dies without calling stop(), do not leave an orphaned server behind.
  const killOnExit = () => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  return {
    async waitUntil(ready, timeoutMs = WAIT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (hasExited() || child.pid === undefined) {
          throw new Error(`${what} exited during startup (${child.exitCode ?? child.signalCode}):\n${output}`);
        }
        if (await ready()) return;
        await sleep(50);
      }
      throw new Error(`${what} did not become ready within ${timeoutMs} ms:\n${output}`);
    },
    async exited() {
      await exited;
      process.removeListener("exit", killOnExit);
      if (child.exitCode !== 0) throw new Error(`${what} failed (${child.exitCode ?? child.signalCode}):\n${output}`);
    },
    async stop() {
      process.removeListener("exit", killOnExit);
      if (child.pid === undefined) return; // never started (spawn error)
      if (!hasExited()) child.kill(options.stopSignal ?? "SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), WAIT_MS);
      });
      const outcome = await Promise.race([exited.then(() => "exited" as const), timedOut]);
      clearTimeout(timer);
      if (outcome === "timeout") {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True when a Redis server on this port answers PING with +PONG. */
function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    let reply = "";
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once("error", () => finish(false));
    socket.on("data", (chunk) => {
      reply += chunk.toString("utf8");
      if (reply.includes("\r\n")) finish(reply.startsWith("+PONG"));
    });
    socket.once("connect", () => socket.write("*1\r\n$4\r\nPING\r\n"));
  });
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
