/**
 * Closed-loop load: `concurrency` workers run ceremonies back to back until a count or a time
 * limit is reached, recording each step's latency; and the plan, how much load each part applies.
 * Shared by the server and in-process runs so both are measured the same way.
 */

/** Milliseconds each named step of one ceremony took. */
export type StepTimes = Record<string, number>;
/** Bytes each named step of one ceremony received, as they came off the socket (headers and compressed body). */
export type StepBytes = Record<string, number>;
/** What one ceremony recorded: its steps' latencies, and through a server the bytes each step received. */
export type Sample = { times: StepTimes; bytes?: StepBytes };

export type Percentiles = { n: number; p50: number; p95: number; p99: number };

export type LevelResult = {
  concurrency: number;
  /** Ceremonies completed. */
  count: number;
  seconds: number;
  perSecond: number;
  steps: Record<string, Percentiles>;
  /** Through a server: mean bytes received per ceremony, in all and per step. */
  bytes?: { total: number; steps: Record<string, number> };
  /**
   * CPU time (all threads) the process doing the work spent per ceremony: steadier than
   * throughput on a shared machine, since other processes' load doesn't add to it.
   */
  cpuMsPerCeremony: number;
  /** When its slices ran (see Level), in microseconds of the monotonic clock, as V8's CPU profiles count. */
  windows: { from: number; to: number }[];
};

export type Limits = { count: number; seconds: number };

/** Nearest-rank percentiles. */
export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/** Times one async step into `times`. */
export async function timed<T>(times: StepTimes, step: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await run();
  times[step] = performance.now() - start;
  return result;
}

/**
 * `concurrency` workers running `ceremony(worker)` back to back, in slices with pauses between
 * them (while another process is measured, so both see the same load on a shared machine). Its
 * result adds the slices up: ceremonies, seconds and CPU time of the slices only. `cpuMicros`
 * reads the CPU time used so far by the process that does the work (this one, or the server).
 * Any failed ceremony fails the run: a figure that includes errors would measure something else.
 */
export class Level {
  private readonly samples: Sample[] = [];
  private started = 0;
  private seconds = 0;
  private cpuMicrosUsed = 0;
  private readonly windows: { from: number; to: number }[] = [];

  constructor(
    readonly concurrency: number,
    private readonly cpuMicros: () => number,
    private readonly ceremony: (worker: number) => Promise<Sample>,
  ) {}

  /** Runs until `limits.count` more ceremonies have started or `limits.seconds` have passed. */
  async slice(limits: Limits): Promise<this> {
    const from = Number(process.hrtime.bigint() / 1000n);
    const cpuBefore = this.cpuMicros();
    const start = performance.now();
    const deadline = start + limits.seconds * 1000;
    const last = this.started + limits.count;
    const worker = async (w: number) => {
      while (this.started < last && performance.now() < deadline) {
        this.started++;
        this.samples.push(await this.ceremony(w));
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, (_, w) => worker(w)));
    this.seconds += (performance.now() - start) / 1000;
    this.cpuMicrosUsed += this.cpuMicros() - cpuBefore;
    this.windows.push({ from, to: Number(process.hrtime.bigint() / 1000n) });
    return this;
  }

  /** How many ceremonies have started so far. */
  get count(): number {
    return this.started;
  }

  result(): LevelResult {
    const samples = this.samples;
    const steps: Record<string, Percentiles> = {};
    for (const step of new Set(samples.flatMap((s) => Object.keys(s.times)))) {
      steps[step] = percentiles(samples.map((s) => s.times[step]).filter((v): v is number => v !== undefined));
    }
    const level: LevelResult = {
      concurrency: this.concurrency,
      count: samples.length,
      seconds: this.seconds,
      perSecond: samples.length / this.seconds,
      steps,
      cpuMsPerCeremony: this.cpuMicrosUsed / 1000 / samples.length,
      windows: [...this.windows],
    };
    const withBytes = samples.filter((s): s is Required<Sample> => s.bytes !== undefined);
    if (withBytes.length) {
      const mean = (values: number[]) => values.reduce((n, v) => n + v, 0) / withBytes.length;
      const stepBytes = Object.fromEntries([...new Set(withBytes.flatMap((s) => Object.keys(s.bytes)))].map((step) => [step, mean(withBytes.map((s) => s.bytes[step] ?? 0))]));
      level.bytes = { total: mean(withBytes.map((s) => Object.values(s.bytes).reduce((n, v) => n + v, 0))), steps: stepBytes };
    }
    return level;
  }
}

/**
 * Hands worker w the items w, w+c, w+2c, ... in turn, so no item is in two ceremonies at once
 * (a passkey's signature counter must only go up).
 */
export function perWorker<T>(items: T[], concurrency: number): (worker: number) => T {
  if (items.length < concurrency) throw new Error(`concurrency ${concurrency} needs at least ${concurrency} items, have ${items.length}`);
  const turns = Array.from({ length: concurrency }, () => 0);
  return (worker) => {
    const turn = turns[worker] ?? 0;
    turns[worker] = turn + 1;
    const owned = Math.ceil((items.length - worker) / concurrency);
    const item = items[worker + (turn % owned) * concurrency];
    if (item === undefined) throw new Error(`no item for worker ${worker}`);
    return item;
  };
}

/** CPU time (user + system, all threads) this process has used, in microseconds. */
export function ownCpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/*
 * The plan: the same for the server and the in-process floor. Every level stops at a count or
 * after a number of seconds, whichever comes first, so the whole run stays within its time box on
 * a slow or busy machine.
 */
export const CONCURRENCY = [1, 8, 32] as const;
export type Concurrency = (typeof CONCURRENCY)[number];

export type Plan = {
  /** Sign-ins per level (bounded by time: sign-in needs no preparation). */
  signIn: Limits;
  /** Registrations per level: each needs a proven sign-up prepared beforehand, so by count. */
  registration: Record<Concurrency, Limits>;
  /** Email-code requests per level (each costs two argon2id hashes). */
  email: Record<Concurrency, Limits>;
  /** Requests of each kind for Next.js's own per-request cost (concurrency 8 only). */
  requestFloor: Limits;
  /** Ceremonies of each kind run first and not recorded (JIT, lazily loaded routes). */
  warmup: number;
};

const FULL: Plan = {
  signIn: { count: 2000, seconds: 6 },
  registration: { 1: { count: 8, seconds: 8 }, 8: { count: 32, seconds: 8 }, 32: { count: 48, seconds: 8 } },
  email: { 1: { count: 8, seconds: 8 }, 8: { count: 32, seconds: 8 }, 32: { count: 48, seconds: 8 } },
  requestFloor: { count: 1000, seconds: 3 },
  warmup: 8,
};

/** `--quick`: a smoke run for working on the bench itself; its figures are not meant to be quoted. */
const QUICK: Plan = {
  signIn: { count: 200, seconds: 1.5 },
  registration: { 1: { count: 4, seconds: 4 }, 8: { count: 16, seconds: 4 }, 32: { count: 32, seconds: 4 } },
  email: { 1: { count: 2, seconds: 4 }, 8: { count: 8, seconds: 4 }, 32: { count: 32, seconds: 4 } },
  requestFloor: { count: 200, seconds: 1 },
  warmup: 4,
};

export function getPlan(quick: boolean): Plan {
  return quick ? QUICK : FULL;
}

/** Proven sign-ups a run of these levels needs: each registration level plus the warm-up. */
export function signupsNeeded(plan: Plan, levels: readonly Concurrency[]): number {
  return plan.warmup + levels.reduce((n, c) => n + plan.registration[c].count, 0);
}

/** Email requests a run of these levels needs: each level plus the warm-up. */
export function emailRequestsNeeded(plan: Plan, levels: readonly Concurrency[]): number {
  return plan.warmup + levels.reduce((n, c) => n + plan.email[c].count, 0);
}
