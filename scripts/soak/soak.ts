/**
 * `npm run soak`: a steady mixed load on two `next start` instances behind a round-robin front,
 * on real PostgreSQL and Redis (behind the Upstash REST stand-in), while faults come on a
 * schedule: Redis stopped, PostgreSQL stopped, an instance SIGKILLed and started again, Redis
 * slowed by 500 ms. Then an audit of the databases against what the journeys saw
 * (journeys.ts), which must find nothing. Everything on 127.0.0.1, stopped at the end.
 * `npm run soak` is run.ts; `npm run test:services` runs a 30-second version on its own backends.
 */
import http from "node:http";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";
import { AppServer } from "@/test/action-client";
import { percentiles } from "../bench/measure";
import { Cleanup, processCpuMicros } from "../processes";
import { freePort, listenOnLoopback, readBody, startNext, type NextServer, type PortRange } from "../services";
import { isClear, Soak, type JourneyKind, type Person } from "./journeys";
import type { Backends } from "../stack";

/** Clear of `npm run dev` (3000), `npm test` (3100), test:services (3200-3299) and the bench (3700-3799). */
export const PORTS = { from: 3800, to: 3899 };
/** A request with no answer for this long is a hang. */
const HANG_MS = 15_000;
/** Errors this long after a fault is lifted are still put down to it (state lost with Redis, say). */
const GRACE_MS = 10_000;
/** Journeys started a second (both instances busy, not saturated, on 2 shared cores) and at most in flight. */
const DEFAULT_RATE = 2;
const MAX_IN_FLIGHT = 16;
const WARM_UP_PEOPLE = 4;
const MIX: [JourneyKind, number][] = [
  ["signUp", 0.25],
  ["passkeySignIn", 0.35],
  ["emailSignIn", 0.15],
  ["addPasskey", 0.1],
  ["removePasskey", 0.07],
  ["signOutOthers", 0.08],
];

/** `up`: answering its health check; the front sends it nothing while it is down or starting. */
type Instance = { n: number; port: number; server: NextServer; up: boolean; active: number };
type Fault = { name: string; at: number; ms: number; begin(): Promise<void>; end(): Promise<void>; startedAt?: number; liftedAt?: number; journeysInFlight?: number; requestsCut?: number };

/**
 * The load balancer: each request to the next instance in turn, answered with `x-soak-instance`.
 * An instance that is down or starting gets nothing (as a health check would see to); a refused
 * connection goes to the other; a connection lost before the whole answer came is a 503, as a
 * platform's front answers.
 */
async function startFront(instances: Instance[], port: number) {
  let turn = 0;
  const agents = instances.map(() => new http.Agent({ keepAlive: true }));
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const unavailable = () => void (res.headersSent || res.writeHead(503, { "Content-Type": "text/plain", "x-soak-instance": "front" }).end("Service unavailable. Please try again."));
    const forward = (i: number, tries: number) => {
      const instance = instances[i]!;
      instance.active++;
      let done = false;
      const finish = () => {
        if (!done) instance.active--;
        done = true;
      };
      const upstream = http.request({ host: "127.0.0.1", port: instance.port, method: req.method, path: req.url, headers: req.headers, agent: agents[i] }, async (answer) => {
        // Whole, so that an instance dying mid-answer is a 503 too, not half an answer.
        try {
          const whole = await readBody(answer);
          finish();
          res.writeHead(answer.statusCode ?? 502, { ...answer.headers, "x-soak-instance": String(instance.n) }).end(whole);
        } catch {
          finish();
          unavailable();
        }
      });
      upstream.on("error", (error: NodeJS.ErrnoException) => {
        finish();
        if (error.code === "ECONNREFUSED" && tries < instances.length - 1) forward((i + 1) % instances.length, tries + 1);
        else unavailable();
      });
      upstream.end(body);
    };
    const first = instances.findIndex((_, k) => instances[(turn + k) % instances.length]!.up);
    turn++;
    if (first < 0) unavailable();
    else forward((turn - 1 + first) % instances.length, 0);
  });
  const listening = await listenOnLoopback(server, port);
  return { url: listening.url, close: async () => (agents.forEach((a) => a.destroy()), await listening.close()) };
}

export type SoakResults = Awaited<ReturnType<typeof runSoak>>;

/** The soak on `backends`: starts its own front and two instances, stops them at the end. */
export async function runSoak(backends: Backends, opts: { seconds: number; rate?: number; ports: PortRange; logDir: string }) {
  const cleanup = new Cleanup();
  try {
    return await soak(backends, opts, cleanup);
  } finally {
    await cleanup.runAll();
  }
}

async function soak(backends: Backends, opts: Parameters<typeof runSoak>[1], cleanup: Cleanup) {
  const rate = opts.rate ?? DEFAULT_RATE;
  const frontPort = await freePort(opts.ports);
  const env = { ...backends.env, APP_URL: `http://localhost:${frontPort}` };
  const launch = async (n: number, port: number) => startNext({ port, env, logFile: path.join(opts.logDir, `soak-next-${n}.log`) });
  const ports = [await freePort(opts.ports), await freePort(opts.ports)];
  const instances: Instance[] = await Promise.all(ports.map(async (port, i) => ({ n: i + 1, port, server: await launch(i + 1, port), up: true, active: 0 })));
  cleanup.add("soak instances", async () => void (await Promise.all(instances.map((i) => i.server.stop()))));
  const front = await startFront(instances, frontPort);
  cleanup.add("soak front", front.close);
  const app = new AppServer(frontPort, { maxSockets: 64, timeoutMs: HANG_MS });
  cleanup.add("action client", async () => app.close());

  const runId = Date.now().toString(36);
  const inFlight = new Set<Promise<void>>();
  const journeys = new Soak(app, backends.mailUrl, runId);
  // A few people first, so that every kind of journey runs from the first fault on.
  await Promise.all(Array.from({ length: WARM_UP_PEOPLE }, () => journeys.run("signUp")));
  const attempted: Record<string, number> = { signUp: WARM_UP_PEOPLE };
  const succeeded: Record<string, number> = { signUp: WARM_UP_PEOPLE };
  const start = Date.now();
  const durationMs = opts.seconds * 1000;

  // Four faults, one per quarter of the run, each at most half of its quarter.
  const slot = durationMs / 4;
  const span = (nominal: number) => Math.min(nominal, slot / 2);
  const { pg, redis, redisDelay } = backends;
  const victim = instances[1]!;
  const faults: Fault[] = [
    { name: "Redis stopped", at: 0.25 * slot, ms: span(10_000), begin: redis.pause, end: redis.resume },
    { name: "PostgreSQL stopped", at: 1.25 * slot, ms: span(10_000), begin: pg.pause, end: pg.resume },
    {
      name: "instance 2 SIGKILLed",
      at: 2.25 * slot,
      ms: 0,
      begin: async () => {
        // Mid-ceremony: once a step of some journey is being answered there (waiting at most 10 s).
        for (const until = Date.now() + 10_000; victim.active === 0 && Date.now() < until; ) await sleep(5);
        faults[2]!.requestsCut = victim.active;
        process.kill(-victim.server.pid, "SIGKILL");
        // The front learns of it as a health check would: at once here, for a clear picture.
        victim.up = false;
        await victim.server.stop();
      },
      end: async () => {
        victim.server = await launch(victim.n, victim.port);
        victim.up = true;
      },
    },
    { name: "Redis 500 ms slower", at: 3.05 * slot, ms: span(20_000), begin: async () => redisDelay?.setDelay(500), end: async () => redisDelay?.setDelay(0) },
  ];
  const faultsDone = Promise.all(
    faults.map(async (fault) => {
      await sleep(fault.at);
      fault.startedAt = Date.now();
      fault.journeysInFlight = inFlight.size;
      await fault.begin();
      await sleep(fault.ms);
      await fault.end();
      fault.liftedAt = Date.now();
      console.log(`soak: ${fault.name} at ${((fault.startedAt - start) / 1000).toFixed(1)} s, lifted at ${((fault.liftedAt - start) / 1000).toFixed(1)} s`);
    }),
  );

  // CPU use of each instance, second by second (a restarted instance starts again from 0).
  const cpu = instances.map(() => ({ pid: 0, last: 0, samples: [] as number[] }));
  const sampler = setInterval(() => {
    instances.forEach((instance, i) => {
      const c = cpu[i]!;
      try {
        const now = processCpuMicros(instance.server.pid);
        if (c.pid === instance.server.pid) c.samples.push((now - c.last) / 10_000);
        Object.assign(c, { pid: instance.server.pid, last: now });
      } catch {
        c.pid = 0;
      }
    });
  }, 1000);

  const pick = (): { kind: JourneyKind; person?: Person } => {
    let r = Math.random();
    const kind = MIX.find(([, weight]) => (r -= weight) < 0)?.[0] ?? "passkeySignIn";
    const free = journeys.people.filter(
      (p) => !p.busy && (kind !== "removePasskey" || p.extras.length > 0) && (kind !== "addPasskey" || p.extras.length < 3) && (kind !== "emailSignIn" || p.emailSignIns < 4),
    );
    const person = free[Math.floor(Math.random() * free.length)];
    return person ? { kind, person } : { kind: "signUp" };
  };
  let turnedAway = 0;
  while (Date.now() - start < durationMs) {
    if (inFlight.size >= MAX_IN_FLIGHT) turnedAway++;
    else {
      const { kind, person } = pick();
      if (person) person.busy = true;
      attempted[kind] = (attempted[kind] ?? 0) + 1;
      const journey = journeys.run(kind, person).then(
        () => void (succeeded[kind] = (succeeded[kind] ?? 0) + 1),
        () => undefined,
      );
      inFlight.add(journey);
      void journey.finally(() => inFlight.delete(journey));
    }
    await sleep(1000 / rate);
  }
  await Promise.all(inFlight);
  const loadSeconds = (Date.now() - start) / 1000;
  await faultsDone;
  clearInterval(sampler);

  const steps = journeys.steps;
  const failures = steps.filter((s) => s.failure);
  const windowOf = (end: number) => faults.findLast((f) => f.startedAt !== undefined && end >= f.startedAt && end <= (f.liftedAt ?? Infinity) + GRACE_MS)?.name ?? "no fault";
  const count = <T>(items: T[], key: (item: T) => string) => items.reduce<Record<string, number>>((acc, item) => ((acc[key(item)] = (acc[key(item)] ?? 0) + 1), acc), {});
  const errorsByWindow: Record<string, Record<string, number>> = {};
  for (const f of failures) {
    const window = (errorsByWindow[windowOf(f.at + f.ms)] ??= {});
    window[f.failure!] = (window[f.failure!] ?? 0) + 1;
  }
  // Next's digest-only 500 for an action that threw is a clear "try again" only while a fault explains it.
  const unexplained500 = failures.filter((f) => f.failure === "friendly500" && windowOf(f.at + f.ms) === "no fault").length;
  const audit = await auditDatabases(backends.pg.url, runId, journeys, unexplained500);
  const stepNames = [...new Set(steps.map((s) => s.step))];
  const totalJourneys = Object.values(attempted).reduce((a, b) => a + b, 0);
  const totalSucceeded = Object.values(succeeded).reduce((a, b) => a + b, 0);

  return {
    startedAt: new Date(start).toISOString(),
    seconds: opts.seconds,
    load: {
      rate,
      maxInFlight: MAX_IN_FLIGHT,
      turnedAway,
      cpuPercent: cpu.map((c) => ({ mean: round(c.samples.reduce((a, b) => a + b, 0) / Math.max(1, c.samples.length)), p95: round(percentiles(c.samples).p95) })),
    },
    journeys: { attempted, succeeded, total: totalJourneys, totalSucceeded, perSecond: round(totalSucceeded / loadSeconds, 2) },
    steps: Object.fromEntries(
      stepNames.map((name) => {
        const own = steps.filter((s) => s.step === name);
        const ok = percentiles(own.filter((s) => !s.failure).map((s) => s.ms));
        return [name, { ok: ok.n, failed: own.length - ok.n, p50: round(ok.p50), p95: round(ok.p95), p99: round(ok.p99) }];
      }),
    ),
    stepsPerSecond: round(steps.length / loadSeconds, 2),
    errors: count(failures, (f) => f.failure!),
    errorsByWindow,
    // Every failure that isn't a refusal, with its window and the start of what came back.
    failures: failures.filter((f) => f.detail).map((f) => ({ ...f, at: round((f.at - start) / 1000, 1), window: windowOf(f.at + f.ms) })),
    faults: faults.map((f) => ({
      name: f.name,
      at: round((f.startedAt! - start) / 1000, 1),
      lifted: round((f.liftedAt! - start) / 1000, 1),
      journeysInFlight: f.journeysInFlight,
      requestsCut: f.requestsCut,
      // Seconds from lifting until a step next succeeded on each instance (null: none before the end).
      recovery: Object.fromEntries(
        instances.map((instance) => {
          const next = steps.find((s) => !s.failure && s.instance === String(instance.n) && s.at >= f.liftedAt!);
          return [`instance ${instance.n}`, next ? round((next.at + next.ms - f.liftedAt!) / 1000, 1) : null];
        }),
      ),
    })),
    audit,
  };
}

/** What the databases hold for this run's people, against what their browsers saw. */
async function auditDatabases(databaseUrl: string, runId: string, soak: Soak, unexplained500: number) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const findings: Record<"lost" | "duplicated" | "halfMade", string[]> = { lost: [], duplicated: [...soak.acceptedTwice.map((w) => `${w} accepted twice`), ...soak.surplusSessions], halfMade: [] };
  try {
    const pattern = `s${runId}\\_%`;
    const users = await sql<{ id: string; username: string; sessions: number }[]>`
      select u.id, u.username, (select count(*)::int from sessions s where s.user_id = u.id) as sessions from users u where u.username like ${pattern}`;
    const passkeys = await sql<{ id: string; username: string; counter: number }[]>`
      select p.id, u.username, p.counter::int as counter from passkeys p join users u on u.id = p.user_id where u.username like ${pattern}`;
    const userBy = new Map(users.map((u) => [u.username, u]));
    const passkeyBy = new Map(passkeys.map((p) => [p.id, p]));
    for (const signUp of soak.signUps) {
      const user = userBy.get(signUp.username);
      const passkey = passkeyBy.get(signUp.credentialId);
      if (signUp.verified && !user) findings.lost.push(`sign-up ${signUp.username}: no user`);
      if (signUp.verified && !passkey) findings.lost.push(`sign-up ${signUp.username}: no passkey`);
      if (user && !signUp.proven && signUp.unsure !== "code") findings.halfMade.push(`${signUp.username}: a user, though no browser's code was accepted`);
      if (passkey && !signUp.verified && signUp.unsure !== "verify") findings.halfMade.push(`${signUp.username}: a passkey, though its browser was told it wasn't saved`);
    }
    for (const user of users) {
      const person = soak.people.find((p) => p.username === user.username);
      const { lo, hi } = person?.sessions ?? { lo: 0, hi: 0 };
      if (user.sessions > hi) findings.duplicated.push(`${user.username}: ${user.sessions} sessions, at most ${hi} given to browsers`);
      if (user.sessions < lo) findings.lost.push(`${user.username}: ${user.sessions} sessions, browsers hold ${lo}`);
    }
    for (const [id, saved] of soak.added) {
      const removal = soak.removed.get(id);
      if (saved === true && removal === undefined && !passkeyBy.has(id)) findings.lost.push(`added passkey ${id.slice(0, 8)}: gone`);
      if (saved === false && passkeyBy.has(id)) findings.halfMade.push(`added passkey ${id.slice(0, 8)}: saved, though its browser was told it failed`);
      if (removal === true && passkeyBy.has(id)) findings.halfMade.push(`removed passkey ${id.slice(0, 8)}: still there`);
    }
    const known = new Set([...soak.signUps.map((s) => s.credentialId), ...soak.added.keys()]);
    for (const p of passkeys) if (!known.has(p.id)) findings.halfMade.push(`passkey ${p.id.slice(0, 8)} of ${p.username}: no browser made it`);
    for (const [id, counter] of soak.acceptedCounters) {
      const row = passkeyBy.get(id);
      if (row && row.counter < counter) findings.lost.push(`passkey ${id.slice(0, 8)}: counter ${row.counter}, below the ${counter} accepted`);
    }
    const failures = soak.steps.filter((s) => s.failure);
    return {
      users: users.length,
      passkeys: passkeys.length,
      sessions: users.reduce((n, u) => n + u.sessions, 0),
      lost: findings.lost.length,
      duplicated: findings.duplicated.length,
      halfMade: findings.halfMade.length,
      friendly500: failures.filter((f) => f.failure === "friendly500").length,
      server500: failures.filter((f) => f.failure === "http500").length + unexplained500,
      hung: failures.filter((f) => f.failure === "timeout").length,
      unclear: failures.filter((f) => !isClear(f.failure!) && f.failure !== "http500" && f.failure !== "timeout").length,
      findings,
    };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** The counts that must be 0. */
export function auditProblems(results: SoakResults): string[] {
  const { lost, duplicated, halfMade, server500, hung, unclear } = results.audit;
  return Object.entries({ lost, duplicated, halfMade, server500, hung, unclear })
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name}: ${n}`);
}

const round = (n: number, digits = 0) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : NaN);

export function formatSoak(r: SoakResults): string {
  const pad = (cells: (string | number | null)[], widths: number[]) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[0]!) : String(c ?? "-").padStart(widths[i]!))).join("  ");
  const j = r.journeys;
  const lines = [
    `Soak: ${r.seconds} s from ${r.startedAt}; ${r.load.rate} journeys/s offered (at most ${r.load.maxInFlight} in flight, ${r.load.turnedAway} turned away); CPU per instance: ${r.load.cpuPercent.map((c) => `${c.mean}% mean, ${c.p95}% p95`).join(" / ")}`,
    `Journeys: ${j.totalSucceeded} of ${j.total} succeeded (${j.perSecond}/s; ${r.stepsPerSecond} requests/s): ${Object.entries(j.attempted)
      .map(([k, n]) => `${k} ${j.succeeded[k] ?? 0}/${n}`)
      .join(", ")}`,
    "",
    pad(["step", "ok", "failed", "p50 ms", "p95 ms", "p99 ms"], [16, 6, 6, 7, 7, 7]),
    ...Object.entries(r.steps).map(([name, s]) => pad([name, s.ok, s.failed, s.p50, s.p95, s.p99], [16, 6, 6, 7, 7, 7])),
    "",
    pad(["fault", "at s", "lifted s", "in flight", "instance 1 back s", "instance 2 back s"], [22, 6, 8, 9, 17, 17]),
    ...r.faults.map((f) => pad([f.name, f.at, f.lifted, f.journeysInFlight ?? null, f.recovery["instance 1"] ?? null, f.recovery["instance 2"] ?? null], [22, 6, 8, 9, 17, 17])),
    `(in flight: journeys under way when it began; the kill cut ${r.faults[2]?.requestsCut ?? 0} requests being answered there; back: seconds from lifting to the next success there)`,
    "",
    "Failed steps by window: " + (Object.entries(r.errorsByWindow).map(([w, kinds]) => `${w}: ${Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(", ")}`).join("; ") || "none"),
    `Audit: ${r.audit.users} users, ${r.audit.passkeys} passkeys, ${r.audit.sessions} sessions; lost ${r.audit.lost}, duplicated ${r.audit.duplicated}, halfMade ${r.audit.halfMade}, server500 ${r.audit.server500} (digest-only 500s during faults: ${r.audit.friendly500}), hung ${r.audit.hung}, unclear ${r.audit.unclear}`,
    ...Object.values(r.audit.findings).flat().slice(0, 20).map((f) => `  ${f}`),
  ];
  return lines.join("\n");
}
