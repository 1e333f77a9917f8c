/**
 * Real servers for *.services.test.ts, started as child processes on free local ports.
 * Test tooling only: never imported by app code.
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import net from "node:net";
import path from "node:path";

/** How long a server may take to start or stop before we give up. */
const WAIT_MS = 10_000;

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

/** A port that was free a moment ago (the OS picks it; small race accepted for tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("could not determine a free port"))));
    });
  });
}

/** Starts a throwaway redis-server (no persistence), or returns null when it is not installed. */
export async function startRedis(): Promise<RedisServer | null> {
  const binary = findOnPath("redis-server");
  if (!binary) return null;
  const port = await freePort();
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

type Service = {
  /** Polls ready() until it resolves true; fails early if the process exits, and after WAIT_MS. */
  waitUntil(ready: () => Promise<boolean>): Promise<void>;
  /** SIGTERM, then SIGKILL after WAIT_MS; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
};

/** Spawns a server in the foreground, keeping the tail of its output for error messages. */
function spawnService(what: string, binary: string, args: string[]): Service {
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (text: string) => {
    output = (output + text).slice(-4000);
  };
  child.stdout.on("data", (chunk: Buffer) => keep(chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => keep(chunk.toString("utf8")));
  child.on("error", (error) => keep(`spawn error: ${error.message}\n`));
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;

  // If the test process dies without calling stop(), do not leave an orphaned server behind.
  const killOnExit = () => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  return {
    async waitUntil(ready) {
      const deadline = Date.now() + WAIT_MS;
      while (Date.now() < deadline) {
        if (hasExited() || child.pid === undefined) {
          throw new Error(`${what} exited during startup (${child.exitCode ?? child.signalCode}):\n${output}`);
        }
        if (await ready()) return;
        await sleep(50);
      }
      throw new Error(`${what} did not become ready within ${WAIT_MS} ms:\n${output}`);
    },
    async stop() {
      process.removeListener("exit", killOnExit);
      if (child.pid === undefined) return; // never started (spawn error)
      if (!hasExited()) child.kill("SIGTERM");
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
