/**
 * Child processes for the bench: started with their output in a log file, stopped by PID (also
 * when the bench fails or is interrupted), and their peak memory read from /proc. Bench tooling only.
 */
import { execFileSync, spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";

const STOP_WAIT_MS = 10_000;

export type Proc = {
  pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** `signal` (SIGTERM unless given), then SIGKILL after 10 s; resolves once the process is gone. Idempotent. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** The last few KB of its output, for error messages. */
  tail(): string;
};

/** Everything started, stopped in reverse order at the end (or on failure, or on Ctrl-C). */
export class Cleanup {
  private readonly tasks: { what: string; run: () => Promise<void> }[] = [];

  add(what: string, run: () => Promise<void>): void {
    this.tasks.push({ what, run });
  }

  async runAll(): Promise<void> {
    for (const task of this.tasks.splice(0).reverse()) {
      try {
        await task.run();
      } catch (error) {
        console.error(`bench: stopping ${task.what} failed:`, error);
      }
    }
  }
}

export function startProcess(
  what: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number; logFile: string },
): Proc {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, uid: options.uid, gid: options.gid, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid === undefined) throw new Error(`could not start ${what} (${command})`);
  const pid = child.pid;
  const log = createWriteStream(options.logFile);
  let tail = "";
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    tail = (tail + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once("close", (code) => {
      log.end();
      resolve(code);
    }),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  // If the bench itself dies, take the child with it.
  const killOnExit = () => void child.kill("SIGKILL");
  process.once("exit", killOnExit);
  return {
    pid,
    exited,
    tail: () => tail,
    async stop(signal = "SIGTERM") {
      process.removeListener("exit", killOnExit);
      if (running()) child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), STOP_WAIT_MS)));
      const outcome = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (outcome === "timeout") {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

/** Runs a command to completion within `timeoutMs`; throws with its output on failure. */
export async function runToCompletion(what: string, command: string, args: string[], options: Parameters<typeof startProcess>[3], timeoutMs: number): Promise<void> {
  const proc = startProcess(what, command, args, options);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
  const outcome = await Promise.race([proc.exited, timeout]);
  clearTimeout(timer);
  if (outcome === "timeout") {
    await proc.stop();
    throw new Error(`${what} took longer than ${timeoutMs / 1000} s (log: ${options.logFile})`);
  }
  if (outcome !== 0) throw new Error(`${what} failed (exit ${outcome}, log: ${options.logFile}):\n${proc.tail()}`);
}

/** Polls `ready` until true; fails early if the process exits, and after `timeoutMs`. */
export async function waitUntilReady(what: string, proc: Proc, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  let gone = false;
  void proc.exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`${what} exited during start-up:\n${proc.tail()}`);
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000} s:\n${proc.tail()}`);
}

/** True when GET http://127.0.0.1:<port><path> (Host: localhost) answers 200. */
export function httpOk(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path, headers: { Host: `localhost:${port}` }, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

/** Peak resident set size of a running process (VmHWM), in bytes; null when unreadable. */
export function peakRssBytes(pid: number): number | null {
  try {
    const kb = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** CPU time (user + system, all threads) a process has used so far, in microseconds, from /proc. */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND;
}

const PORT_RANGE = { from: 3300, to: 3399 } as const;
const handedOut = new Set<number>();

/** A port in this bench's range (3300-3399) that is free on 127.0.0.1 and not yet handed out. */
export async function benchPort(): Promise<number> {
  for (let port = PORT_RANGE.from; port <= PORT_RANGE.to; port++) {
    if (handedOut.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${PORT_RANGE.from}-${PORT_RANGE.to}`);
}
