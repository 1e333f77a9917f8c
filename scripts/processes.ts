/**
 * Child processes for test:services, the bench and the services tests: each in its own process
 * group, stopped by PID (its group), killed if this process exits first, its output written to a
 * log file or shown, and the last few KB kept for error messages. Also a process's peak memory and
 * CPU time from /proc. Tooling only: never imported by app code.
 */
import { execFileSync, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const STOP_WAIT_MS = 10_000;

export type Proc = {
  pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Polls `ready` until true; fails early if the process exits, and after `timeoutMs`. */
  waitUntil(ready: () => Promise<boolean>, timeoutMs: number): Promise<void>;
  /** The stop signal, then SIGKILL after 10 s; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
  /** The last few KB of its output (unless shown), for error messages. */
  tail(): string;
  /** With `ipc` (a Node.js child): sends `message` if given, then the next message it sends; fails if it exits first. */
  exchange(message?: unknown): Promise<unknown>;
};

export type ProcessOptions = {
  cwd?: string;
  /** The whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Run as this user (needs root). */
  owner?: { uid: number; gid: number };
  /** SIGTERM unless given (PostgreSQL's fast shutdown is SIGINT). */
  stopSignal?: NodeJS.Signals;
  /** Append all output here; without it, output is shown only with `show`, else dropped. */
  logFile?: string;
  show?: boolean;
  /** A message channel to a Node.js child (process.send / process.on("message")), for `exchange`. */
  ipc?: boolean;
};

/** Process groups still running, killed if this process exits without stopping them. */
const running = new Set<number>();
process.once("exit", () => {
  for (const pid of running) signalGroup(pid, "SIGKILL");
});

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function startProcess(what: string, command: string, args: string[], options: ProcessOptions = {}): Proc {
  const child = spawn(command, args, {
    // Its own process group, so a stop reaches what it started too (npm → next build → workers).
    detached: true,
    stdio: ["ignore", options.show ? "inherit" : "pipe", options.show ? "inherit" : "pipe", ...(options.ipc ? (["ipc"] as const) : [])],
    env: options.env,
    // Another user may not be allowed into this directory.
    cwd: options.cwd ?? (options.owner ? os.tmpdir() : undefined),
    uid: options.owner?.uid,
    gid: options.owner?.gid,
  });
  if (child.pid === undefined) throw new Error(`could not start ${what} (${command})`);
  const pid = child.pid;
  running.add(pid);
  if (options.logFile) mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = options.logFile ? createWriteStream(options.logFile, { flags: "a" }) : null;
  let tail = "";
  const keep = (chunk: Buffer) => {
    log?.write(chunk);
    tail = (tail + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once("close", (code, signal) => {
      running.delete(pid);
      // How it ended, for a log read after a server vanished mid-run.
      keep(Buffer.from(`\n[${what}: exited ${signal ? `by ${signal}` : `with code ${code}`}]\n`));
      log?.end();
      resolve(code);
    }),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    pid,
    exited,
    tail: () => tail,
    exchange(message) {
      if (gone) return Promise.reject(new Error(`${what} has exited:\n${tail}`));
      return new Promise((resolve, reject) => {
        child.once("message", resolve);
        void exited.then((code) => reject(new Error(`${what} exited (${code ?? "signal"}) before answering:\n${tail}`)));
        if (message !== undefined) child.send(message as Parameters<typeof child.send>[0]);
      });
    },
    async waitUntil(ready, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (gone) throw new Error(`${what} exited during start-up:\n${tail}`);
        if (await ready()) return;
        await sleep(100);
      }
      throw new Error(`${what} was not ready within ${timeoutMs / 1000} s:\n${tail}`);
    },
    async stop() {
      if (!gone) signalGroup(pid, options.stopSignal ?? "SIGTERM");
      if ((await within(exited, STOP_WAIT_MS)) === "timeout") {
        signalGroup(pid, "SIGKILL");
        await exited;
      }
    },
  };
}

/** Runs a command to completion within `timeoutMs`; throws (with its output's tail) on failure. */
export async function runToCompletion(what: string, command: string, args: string[], options: ProcessOptions & { timeoutMs: number }): Promise<void> {
  const proc = startProcess(what, command, args, options);
  const outcome = await within(proc.exited, options.timeoutMs);
  if (outcome === "timeout") {
    await proc.stop();
    throw new Error(`${what} took longer than ${options.timeoutMs / 1000} s`);
  }
  if (outcome !== 0) throw new Error(`${what} failed (exit ${outcome ?? "by signal"}${options.logFile ? `, log: ${options.logFile}` : ""}):\n${proc.tail()}`);
}

/** Everything started, stopped in reverse order at the end, on failure, or on SIGINT/SIGTERM. */
export class Cleanup {
  private readonly tasks: { what: string; run: () => Promise<void> }[] = [];

  add(what: string, run: () => Promise<void>): void {
    this.tasks.push({ what, run });
  }

  async runAll(): Promise<void> {
    for (const task of this.tasks.splice(0).reverse()) {
      await task.run().catch((error: unknown) => console.error(`stopping ${task.what} failed:`, error));
    }
  }
}

/**
 * The frame of a tooling script (check:vercel, test:services, soak, bench): named steps, timed and
 * announced; a watchdog; everything it started stopped at the end, on failure, on the watchdog and
 * on SIGINT/SIGTERM (then exit 130; a command still running is killed on exit).
 */
export class Script {
  readonly cleanup = new Cleanup();
  /** Wall-clock seconds per step. */
  readonly timings: Record<string, number> = {};
  private watchdog?: NodeJS.Timeout;

  constructor(private readonly name: string) {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        console.error(`\n${signal}: stopping everything started…`);
        void this.cleanup.runAll().finally(() => process.exit(130));
      });
    }
  }

  async step<T>(name: string, run: () => Promise<T> | T): Promise<T> {
    console.log(`\n▶ ${name}`);
    const start = performance.now();
    try {
      return await run();
    } finally {
      this.timings[name] = (performance.now() - start) / 1000;
    }
  }

  /** From now on, a hang guard: after `seconds`, stop everything started and exit 1. */
  limit(seconds: number): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      console.error(`\n${this.name}: over its ${seconds} s limit; stopping everything it started`);
      void this.cleanup.runAll().finally(() => process.exit(1));
    }, seconds * 1000).unref();
  }

  /** Runs `main`, stops everything, then reports the steps' times; exit code 1 if it failed (`hint` then says where to look). */
  run(main: () => Promise<void>, hint = ""): void {
    const summary = () => Object.entries(this.timings).map(([name, s]) => `  ${s.toFixed(1).padStart(6)} s  ${name}`).join("\n");
    const end = async (error?: unknown) => {
      clearTimeout(this.watchdog);
      await this.cleanup.runAll();
      if (error === undefined) return console.log(`\n${this.name} passed\n${summary()}`);
      console.error(`\n${this.name} failed:`, error instanceof Error && !/^(Type|Reference|Range)Error$/.test(error.name) ? error.message : error, `\n${summary()}${hint}`);
      process.exitCode = 1;
    };
    main().then(() => end(), (error: unknown) => end(error ?? "failed"));
  }
}

/** Peak resident set size of a running process (VmHWM), in bytes; null when unreadable. */
export function peakRssBytes(pid: number): number | null {
  return statusBytes(pid, "VmHWM");
}

/** Resident set size of a running process now (VmRSS), in bytes; null when unreadable. */
export function rssBytes(pid: number): number | null {
  return statusBytes(pid, "VmRSS");
}

function statusBytes(pid: number, field: "VmHWM" | "VmRSS"): number | null {
  try {
    const kb = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

let clockTicksPerSecond: number | undefined;

/** CPU time (user + system, all threads) a process has used so far, in microseconds, from /proc. */
export function processCpuMicros(pid: number): number {
  clockTicksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return (ticks * 1_000_000) / clockTicksPerSecond;
}

/** The promise's value, or "timeout" after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
