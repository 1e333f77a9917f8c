/**
 * `npm run bench`: passkey sign-in, the sign-up passkey step and the email-code request through
 * the production server (next build + next start), next to floors measured in the same run: the
 * same ceremonies in-process, the crypto underneath, and a bare Next.js page for page weight.
 * Prints a table and writes bench-results/latest.json. Talks only to 127.0.0.1.
 *
 *   npm run bench                  the full run (about 2.5 minutes, 3.5 with a cold build)
 *   npm run bench -- --quick       a smoke run for working on the bench (figures not for quoting)
 *   npm run bench -- --no-build    reuse the existing .next build (only when nothing changed)
 *   npm run bench -- --cpu-prof    also profile the embedded server and break down where its CPU
 *                                  time went during sign-in at concurrency 8 (adds profiler overhead)
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Cleanup, peakRssBytes, processCpuMicros, runToCompletion } from "../processes";
import { freePort, startNext as startNextServer, startPostgres, startRedis, type PostgresServer } from "../services";
import { startUpstashRestServer } from "../upstash-rest-server";
import { AppServer, VirtualBrowser } from "./action-client";
import { summarizeProfile } from "./cpu-profile";
import type { InProcessResult } from "./in-process";
import type { LevelResult } from "./measure";
import { measurePages, writeFloorApp, type PageWeight } from "./page-weight";
import { CONCURRENCY, emailRequestsNeeded, getPlan, signupsNeeded, type Plan } from "./plan";
import { computeRatios, formatReport, type BenchResults, type QueryCounts, type ServerRun, type Skipped } from "./report";
import { emailLevel, nextIp, prepareEmailRequests, proveSignups, registrationLevel, signInLevel, signInOnce, type Person } from "./server-load";

const projectDir = process.cwd();
const resultsDir = path.join(projectDir, "bench-results");
const logsDir = path.join(resultsDir, "logs");
const nextBin = path.join(projectDir, "node_modules", "next", "dist", "bin", "next");
/** Clear of `npm run dev` (3000), `npm test` (3100) and `npm run test:services` (3200-3299). */
const PORTS = { from: 3300, to: 3399 };
/**
 * The whole run stays within this; the optional real-services mode is skipped when time runs
 * short. It leaves room under five minutes for the watchdog's clean-up.
 */
const TIME_BOX_S = 280;
/** What the real-services mode needs (start-up, migrations, sign-ups, three levels) on an idle machine. */
const SERVICES_NEEDS_S = 70;

const cleanup = new Cleanup();
const phases: Record<string, number> = {};
const runStart = performance.now();
const elapsed = () => (performance.now() - runStart) / 1000;
/** Milliseconds left in the time box, for a step's timeout. */
const leftMs = () => Math.max(1, TIME_BOX_S - elapsed()) * 1000;

async function phase<T>(name: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  console.log(`bench: ${name}...`);
  try {
    return await run();
  } finally {
    phases[name] = (performance.now() - start) / 1000;
  }
}

/** The environment without any backend the developer may have configured (undefined: unset): each mode sets its own. */
function cleanEnv(): NodeJS.ProcessEnv {
  const unset = ["DATABASE_URL", "PGLITE_DIR", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "KV_REST_API_URL", "KV_REST_API_TOKEN", "RESEND_API_KEY", "RESEND_BASE_URL", "EMAIL_FROM", "APP_URL", "SESSION_SECRET", "TRUST_PROXY", "ALLOW_EMBEDDED", "DEV_OUTBOX", "VERCEL"];
  return { ...process.env, ...Object.fromEntries(unset.map((key) => [key, undefined])), NEXT_TELEMETRY_DISABLED: "1" };
}

/** `next start` of `dir` on 127.0.0.1:<port>, ready once `readyPath` answers 200. */
async function startNext(name: string, dir: string, port: number, env: NodeJS.ProcessEnv, readyPath: string, nodeFlags: string[] = []) {
  // The first request also starts the database (PGlite's WASM start-up and migrations).
  const server = await startNextServer({ port, env, logFile: path.join(logsDir, `${name}.log`), dir, readyPath, nodeFlags, timeoutMs: leftMs() });
  cleanup.add(name, server.stop);
  return server;
}

/** The app's production environment for the bench (TRUST_PROXY=xff: every virtual browser is its own client). */
function appEnv(port: number, backends: Record<string, string>): NodeJS.ProcessEnv {
  return { ...cleanEnv(), ALLOW_EMBEDDED: "1", DEV_OUTBOX: "1", APP_URL: `http://localhost:${port}`, SESSION_SECRET: randomBytes(32).toString("base64url"), TRUST_PROXY: "xff", ...backends };
}

/**
 * Sign-in at every concurrency against one running server, and with `all` the sign-up passkey
 * step and the email request too; returns the people it signed up.
 */
async function drive(app: AppServer, plan: Plan, runId: string, all: boolean): Promise<Omit<ServerRun, "label" | "peakRssBytes"> & { people: Person[] }> {
  const generous = (count: number) => ({ count, seconds: 120 });
  // Without measured registration levels, just enough people for sign-in at the top concurrency.
  const pending = await proveSignups(app, all ? signupsNeeded(plan) : plan.warmup + Math.max(...CONCURRENCY), runId);
  const people: Person[] = [];
  await registrationLevel(app, pending, 4, generous(plan.warmup), people);
  const registration: LevelResult[] = [];
  if (all) for (const c of CONCURRENCY) registration.push(await registrationLevel(app, pending, c, plan.registration[c], people));
  else await registrationLevel(app, pending, 8, generous(pending.length), people);

  await signInLevel(app, people, 4, generous(plan.warmup));
  const signIn: LevelResult[] = [];
  for (const c of CONCURRENCY) signIn.push(await signInLevel(app, people, c, plan.signIn));

  const email: LevelResult[] = [];
  if (all) {
    const prepared = prepareEmailRequests(people, emailRequestsNeeded(plan));
    await emailLevel(app, prepared, 4, generous(plan.warmup));
    for (const c of CONCURRENCY) email.push(await emailLevel(app, prepared, c, plan.email[c]));
  }
  return { signIn, registration, email, people };
}

/** A browser signed in as `person`, for the signed-in page and the per-request query count. */
async function signedInBrowser(app: AppServer, person: Person): Promise<VirtualBrowser> {
  const browser = new VirtualBrowser(nextIp());
  await signInOnce(app, person, browser);
  return browser;
}

/** The SQL statements of one sign-in (each step) and one signed-in page view, from Postgres's log. */
async function countQueries(app: AppServer, pg: PostgresServer, person: Person): Promise<QueryCounts> {
  // Postgres's output reaches the log file through this process: let it arrive before marking.
  const mark = async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return pg.logOffset();
  };
  await pg.logStatements(true);
  try {
    const browser = new VirtualBrowser(nextIp());
    const start = await mark();
    const marks: number[] = [];
    await signInOnce(app, person, browser, async () => void marks.push(await mark()));
    const page = await app.request("GET", "/account", browser, { Accept: "text/html" });
    if (page.status !== 200) throw new Error(`GET /account: HTTP ${page.status}`);
    const [afterOptions = start, afterVerify = start] = marks;
    return {
      signInOptions: pg.statementsBetween(start, afterOptions),
      signInVerify: pg.statementsBetween(afterOptions, afterVerify),
      accountPage: pg.statementsBetween(afterVerify, await mark()),
    };
  } finally {
    await pg.logStatements(false);
  }
}

async function embeddedMode(plan: Plan, runId: string, cpuProf: boolean): Promise<{ run: ServerRun; pages: PageWeight[] }> {
  const port = await freePort(PORTS);
  const profileDir = path.join(resultsDir, "profiles", runId);
  const flags = cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const server = await startNext("next-embedded", projectDir, port, appEnv(port, { PGLITE_DIR: "memory://" }), "/api/health", flags);
  const app = new AppServer(port, projectDir, 32, () => processCpuMicros(server.pid));
  let run: ServerRun;
  let pages: PageWeight[];
  try {
    const { signIn, registration, email, people } = await phase("embedded: load", () => drive(app, plan, runId, true));
    const person = people[0];
    if (!person) throw new Error("no people signed up");
    const signedIn = await signedInBrowser(app, person);
    const origin = app.origin;
    pages = await phase("page weight", () =>
      measurePages([
        { label: "/", origin, path: "/" },
        { label: "/signup", origin, path: "/signup" },
        { label: "/login", origin, path: "/login" },
        { label: "/account (signed in)", origin, path: "/account", cookies: signedIn.entries() },
      ]),
    );
    run = { label: "PGlite in memory + in-process store", signIn, registration, email, peakRssBytes: peakRssBytes(server.pid) };
  } finally {
    app.close();
    await server.stop();
  }
  // The profile is written when the server exits.
  const window = run.signIn.find((l) => l.concurrency === 8)?.window;
  const [profile] = cpuProf && existsSync(profileDir) ? readdirSync(profileDir).filter((f) => f.endsWith(".cpuprofile")) : [];
  if (profile && window) run.profile = summarizeProfile(path.join(profileDir, profile), window);
  return { run, pages };
}

async function servicesMode(plan: Plan, runId: string): Promise<ServerRun | Skipped> {
  if (TIME_BOX_S - elapsed() < SERVICES_NEEDS_S) return { skipped: `time box: ${elapsed().toFixed(0)} of ${TIME_BOX_S} s used before it could start` };
  const pg = await startPostgres({ port: await freePort(PORTS), logFile: path.join(logsDir, "postgres.log") });
  if (!pg) return { skipped: "PostgreSQL not installed" };
  cleanup.add("postgres", pg.stop);
  const redis = await startRedis({ port: await freePort(PORTS), logFile: path.join(logsDir, "redis.log") });
  if (!redis) return { skipped: "redis-server not on PATH" };
  cleanup.add("redis-server", redis.stop);
  const token = randomBytes(24).toString("base64url");
  const rest = await startUpstashRestServer({ redisPort: redis.port, token, port: await freePort(PORTS) });
  cleanup.add("Upstash REST server", rest.close);
  await runToCompletion("drizzle-kit migrate", "npx", ["drizzle-kit", "migrate"], { cwd: projectDir, env: { ...cleanEnv(), DATABASE_URL: pg.url }, logFile: path.join(logsDir, "migrate.log"), timeoutMs: leftMs() });

  const port = await freePort(PORTS);
  const server = await startNext("next-services", projectDir, port, appEnv(port, { DATABASE_URL: pg.url, UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: token }), "/api/health");
  const app = new AppServer(port, projectDir, 32, () => processCpuMicros(server.pid));
  try {
    // Sign-in only: the other flows are measured in embedded mode, and the time box is tight.
    const driven = await phase("real services: load", () => drive(app, plan, `${runId}s`, false));
    const person = driven.people[0];
    if (!person) throw new Error("no people signed up");
    const queries = await countQueries(app, pg, person);
    const { signIn, registration, email } = driven;
    return { label: "PostgreSQL 15 (postgres.js) + redis-server behind the test Upstash REST server; sign-in only", signIn, registration, email, peakRssBytes: peakRssBytes(server.pid), queries };
  } finally {
    app.close();
    await server.stop();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const cpuProf = args.includes("--cpu-prof");
  const plan = getPlan(quick);
  const runId = Date.now().toString(36);
  rmSync(logsDir, { recursive: true, force: true });
  mkdirSync(logsDir, { recursive: true });
  const startedAt = new Date().toISOString();
  const loadAverageBefore = os.loadavg();

  if (!args.includes("--no-build")) {
    await phase("next build", () => runToCompletion("next build", process.execPath, [nextBin, "build"], { cwd: projectDir, env: cleanEnv(), logFile: path.join(logsDir, "build.log"), timeoutMs: leftMs() }));
  }
  const floorApp = writeFloorApp(projectDir);
  cleanup.add("framework floor app", async () => floorApp.remove());
  await phase("framework floor build", () => runToCompletion("floor build", process.execPath, [nextBin, "build"], { cwd: floorApp.dir, env: cleanEnv(), logFile: path.join(logsDir, "floor-build.log"), timeoutMs: leftMs() }));

  const inProcessFile = path.join(resultsDir, "in-process.json");
  await phase("in-process floor", () =>
    runToCompletion(
      "in-process floor",
      process.execPath,
      ["--conditions=react-server", "--import", "tsx", path.join("scripts", "bench", "in-process.ts"), inProcessFile, ...(quick ? ["--quick"] : [])],
      { cwd: projectDir, env: { ...cleanEnv(), APP_URL: "http://localhost:3000", PGLITE_DIR: "memory://", SESSION_SECRET: randomBytes(32).toString("base64url") }, logFile: path.join(logsDir, "in-process.log"), timeoutMs: leftMs() },
    ),
  );
  const { crypto, databaseStartSeconds, peakRssBytes: floorRss, signIn, registration, email } = JSON.parse(readFileSync(inProcessFile, "utf8")) as InProcessResult;

  const embedded = await embeddedMode(plan, runId, cpuProf);

  const frameworkFloor = await phase("framework floor page", async () => {
    const port = await freePort(PORTS);
    const server = await startNext("next-floor", floorApp.dir, port, cleanEnv(), "/");
    try {
      const [weight] = await measurePages([{ label: "framework floor (bare page)", origin: `http://localhost:${port}`, path: "/" }]);
      if (!weight) throw new Error("no floor page weight");
      return weight;
    } finally {
      await server.stop();
    }
  });

  const services = await servicesMode(plan, runId);

  const inProcess = { label: "lib calls on PGlite in memory + in-process store, no HTTP or Next.js", databaseStartSeconds, peakRssBytes: floorRss, signIn, registration, email };
  const results: BenchResults = {
    startedAt,
    quick,
    cpuProf,
    machine: { cpus: os.cpus().length, node: process.version, loadAverageBefore, loadAverageAfter: os.loadavg() },
    phases: { ...phases, total: elapsed() },
    crypto,
    inProcess,
    embedded: embedded.run,
    services,
    pages: embedded.pages,
    frameworkFloor,
    ratios: computeRatios(inProcess, embedded.run, embedded.pages, frameworkFloor),
  };
  const report = formatReport(results);
  writeFileSync(path.join(resultsDir, "latest.json"), JSON.stringify(results, null, 2));
  writeFileSync(path.join(resultsDir, "latest.txt"), report + "\n");
  console.log(`\n${report}\n\nWritten: bench-results/latest.json, bench-results/latest.txt (logs in bench-results/logs/)`);
}

// A hard stop just past the time box, whatever is still running (a step that hangs, say).
setTimeout(() => {
  console.error(`bench: over the ${TIME_BOX_S} s time box; stopping everything it started`);
  void cleanup.runAll().finally(() => process.exit(1));
}, (TIME_BOX_S + 5) * 1000).unref();

cleanup.exitOnSignals();

main()
  .catch((error: unknown) => {
    console.error("bench failed:", error);
    process.exitCode = 1;
  })
  .finally(() => cleanup.runAll());
