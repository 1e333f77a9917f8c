/**
 * `npm run bench`: passkey sign-in, the sign-up passkey step and the email-code request through
 * the production server (next build + next start), on the embedded backends and on PostgreSQL +
 * Redis, next to floors measured in the same run: the same ceremonies in-process, the crypto
 * underneath, and a bare Next.js page for page weight and memory. Prints a table and writes
 * bench-results/latest.json. Talks only to 127.0.0.1.
 *
 *   npm run bench                  the full run (the build, then at most 7 minutes of measuring)
 *   npm run bench -- --quick       a smoke run for working on the bench (figures not for quoting)
 *   npm run bench -- --no-build    reuse the existing .next build (only when nothing changed)
 *   npm run bench -- --cpu-prof    also profile the embedded server and break down where its CPU
 *                                  time went during sign-in at concurrency 8 (adds profiler overhead)
 *   npm run bench -- --pglite-memory   only: memory and time of opening the embedded database,
 *                                  in memory, in a new directory, and reopened (as `npm run dev` does)
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AppServer, VirtualBrowser } from "@/test/action-client";
import { peakRssBytes, processCpuMicros, runToCompletion, Script, startProcess, within } from "../processes";
import { freePort, startNext as startNextServer, withoutAppEnv, type PostgresServer } from "../services";
import { NotInstalled, startBackends } from "../stack";
import { summarizeProfile } from "./cpu-profile";
import type { FloorFlow, FloorReply, FloorRequest, InProcessResult } from "./in-process";
import { floorApp, measurePages, type PageWeight } from "./page-weight";
import { measurePgliteOpen } from "./pglite-memory";
import { CONCURRENCY, emailRequestsNeeded, getPlan, signupsNeeded, type Concurrency, type Level, type LevelResult, type Limits, type Plan } from "./measure";
import { measureProxyCost } from "./proxy-cost";
import { computeRatios, formatReport, signInSummary, table, type BenchResults, type QueryCounts, type ServerRun, type Skipped } from "./report";
import {
  emailCeremonies,
  nextIp,
  prepareEmailRequests,
  proveSignups,
  registrationCeremonies,
  requestFloorCeremonies,
  signInCeremonies,
  signInOnce,
  signInPageCeremonies,
  type Person,
} from "./server-load";

const projectDir = process.cwd();
const resultsDir = path.join(projectDir, "bench-results");
const logsDir = path.join(resultsDir, "logs");
const nextBin = path.join(projectDir, "node_modules", "next", "dist", "bin", "next");
/** Clear of `npm run dev` (3000), `npm test` (3100), `npm run test:services` (3200-3299) and other e2e runs (3300-3699). */
const PORTS = { from: 3700, to: 3799 };
/**
 * Measuring stays within this, once the builds are done: the real-services mode is skipped when
 * time runs short, and a watchdog stops everything just past it. About 3 minutes are used on a
 * quiet machine; the rest is room for a shared one. A cold `next build` comes on top (its own
 * limit: BUILD_TIMEOUT_S).
 */
const TIME_BOX_S = 420;
const BUILD_TIMEOUT_S = 600;
/**
 * What the real-services mode needs (start-up, migrations, sign-ups, one level of each flow): at
 * least this, and on a busy machine about half of what the embedded load took.
 */
const SERVICES_NEEDS_S = 60;

const script = new Script("bench");
const { cleanup } = script;
const phase = script.step.bind(script);
/** When measuring began (after the builds). */
let boxStart = performance.now();
const elapsed = () => (performance.now() - boxStart) / 1000;
/** Milliseconds left in the time box, for a step's timeout. */
const leftMs = () => Math.max(1, TIME_BOX_S - elapsed()) * 1000;

const cleanEnv = (): NodeJS.ProcessEnv => ({ ...withoutAppEnv(), NEXT_TELEMETRY_DISABLED: "1" });

/** `next start` of `dir` on 127.0.0.1:<port>, ready once `readyPath` answers (for the app: once its database has started). */
async function startNext(name: string, dir: string, port: number, env: NodeJS.ProcessEnv, readyPath: string, nodeFlags: string[] = []) {
  const server = await startNextServer({ port, env, logFile: path.join(logsDir, `${name}.log`), dir, readyPath, nodeFlags, timeoutMs: leftMs() });
  cleanup.add(name, server.stop);
  return server;
}

/**
 * The app's production build on a port of its own with `backends` (TRUST_PROXY=xff: every virtual
 * browser is its own client), for `measure`; stopped after.
 */
async function onServer<T>(name: string, backends: Record<string, string>, nodeFlags: string[], measure: (app: AppServer, pid: number) => Promise<T>): Promise<T> {
  const port = await freePort(PORTS);
  const env = { ...cleanEnv(), ALLOW_EMBEDDED: "1", DEV_OUTBOX: "1", APP_URL: `http://localhost:${port}`, SESSION_SECRET: randomBytes(32).toString("base64url"), TRUST_PROXY: "xff", ...backends };
  const server = await startNext(name, projectDir, port, env, "/api/health", nodeFlags);
  const app = new AppServer(port, { maxSockets: 32, cpuMicros: () => processCpuMicros(server.pid) });
  try {
    return await measure(app, server.pid);
  } finally {
    app.close();
    await server.stop();
  }
}

/** The in-process floor, kept running to measure slices of its levels on request (see in-process.ts). */
type Floor = { slice(key: string, flow: FloorFlow, concurrency: number, limits: Limits): Promise<LevelResult> };

/** How many slices a level at concurrency 8 is cut into, with a slice of the floor before each and after the last. */
const ROUNDS = 3;

/**
 * A server's levels at concurrency 8, in ROUNDS slices, interleaved with slices of the floor's
 * (floor, server, floor, server, ..., floor): on a shared machine, other processes' load changes
 * what a millisecond of CPU buys from one minute to the next, and both should see the same.
 * Each limit is the total over all slices.
 */
async function interleaved(
  app: AppServer,
  floor: Floor,
  key: string,
  floorLevels: { flow: FloorFlow; limits: Limits }[],
  serverLevels: { level: Level; limits: Limits }[],
): Promise<Partial<Record<FloorFlow, LevelResult>>> {
  const part = (limits: Limits, parts: number) => ({ count: Math.ceil(limits.count / parts), seconds: limits.seconds / parts });
  const floorResults: Partial<Record<FloorFlow, LevelResult>> = {};
  for (let round = 0; round <= ROUNDS; round++) {
    for (const { flow, limits } of floorLevels) floorResults[flow] = await floor.slice(`${key}:${flow}`, flow, 8, part(limits, ROUNDS + 1));
    if (round === ROUNDS) break;
    app.closeIdleConnections();
    for (const { level, limits } of serverLevels) await level.slice({ count: Math.max(0, Math.min(part(limits, ROUNDS).count, limits.count - level.count)), seconds: part(limits, ROUNDS).seconds });
  }
  return floorResults;
}

/** A level run alone, at most `limits.count` ceremonies, and no more than are left in `pool`. */
async function alone(level: Level, limits: Limits, pool?: unknown[]): Promise<LevelResult> {
  return (await level.slice(capped(limits, pool))).result();
}
const capped = (limits: Limits, pool?: unknown[]) => ({ count: Math.min(limits.count, pool?.length ?? Infinity), seconds: limits.seconds });

/**
 * Against one running server, at each of `levels`: the sign-up passkey step (which also makes the
 * people), passkey sign-in and the email request; at concurrency 8 interleaved with the floor.
 * With `requestFloor`, also Next.js's own cost per request, interleaved with sign-in. Returns the
 * people it signed up.
 */
async function drive(
  app: AppServer,
  plan: Plan,
  runId: string,
  levels: readonly Concurrency[],
  floor: Floor,
  requestFloor: boolean,
): Promise<Pick<ServerRun, "signIn" | "signInPage" | "registration" | "email" | "requestFloor" | "floorAt8"> & { people: Person[] }> {
  const warmup = { count: plan.warmup, seconds: 120 };
  const floorAt8: ServerRun["floorAt8"] = {};
  /** Each level of a flow: alone, or at c=8 interleaved with the floor's `flows` (and `more` server levels). */
  const each = async (flows: FloorFlow[], make: (c: Concurrency) => Level, limits: (c: Concurrency) => Limits, pool?: unknown[], more: { level: Level; limits: Limits }[] = []) => {
    const results: LevelResult[] = [];
    for (const c of levels) {
      const level = make(c);
      if (c !== 8) results.push(await alone(level, limits(c), pool));
      else {
        const floorLimits = flows.length > 1 ? { count: plan.signIn.count, seconds: plan.signIn.seconds / 2 } : limits(8);
        Object.assign(floorAt8, await interleaved(app, floor, runId, flows.map((flow) => ({ flow, limits: floorLimits })), [{ level, limits: capped(limits(8), pool) }, ...more]));
        results.push(level.result());
      }
    }
    return results;
  };

  const pending = await proveSignups(app, signupsNeeded(plan, levels), runId);
  const people: Person[] = [];
  await alone(registrationCeremonies(app, pending, 4, people), warmup, pending);
  const registration = await each(["registration"], (c) => registrationCeremonies(app, pending, c, people), (c) => plan.registration[c], pending);

  await alone(signInCeremonies(app, people, 4), warmup);
  const page = signInPageCeremonies(app, 8);
  const floorLevels = requestFloor ? { action: requestFloorCeremonies(app, "action", 8), form: requestFloorCeremonies(app, "form", 8) } : null;
  if (floorLevels) for (const kind of ["action", "form"] as const) await requestFloorCeremonies(app, kind, 8).slice({ count: plan.warmup * 4, seconds: 60 });
  const more = [page, ...Object.values(floorLevels ?? {})].map((level) => ({ level, limits: plan.requestFloor }));
  const signIn = await each(["signIn", "signInWithSession"], (c) => signInCeremonies(app, people, c), () => plan.signIn, undefined, more);
  const at8 = levels.includes(8);

  const prepared = prepareEmailRequests(people, emailRequestsNeeded(plan, levels));
  await alone(emailCeremonies(app, prepared, 4), warmup, prepared);
  const email = await each(["email"], (c) => emailCeremonies(app, prepared, c), (c) => plan.email[c], prepared);
  return {
    signIn,
    signInPage: at8 ? page.result() : undefined,
    registration,
    email,
    people,
    requestFloor: at8 && floorLevels ? { action: floorLevels.action.result(), form: floorLevels.form.result() } : undefined,
    floorAt8,
  };
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
    const [afterPage = start, afterVerify = start] = marks;
    return {
      signInPage: pg.statementsBetween(start, afterPage),
      signInVerify: pg.statementsBetween(afterPage, afterVerify),
      accountPage: pg.statementsBetween(afterVerify, await mark()),
    };
  } finally {
    await pg.logStatements(false);
  }
}

async function embeddedMode(plan: Plan, runId: string, cpuProf: boolean, floor: Floor): Promise<{ run: ServerRun; pages: PageWeight[]; cookieBytesPerRequest: number }> {
  const profileDir = path.join(resultsDir, "profiles", runId);
  const flags = cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const measured = await onServer("next-embedded", { PGLITE_DIR: "memory://" }, flags, async (app, pid) => {
    const { people, ...driven } = await phase("embedded: load", () => drive(app, plan, runId, CONCURRENCY, floor, true));
    const signedIn = new VirtualBrowser(nextIp());
    await signInOnce(app, people[0]!, signedIn);
    const origin = app.origin;
    const pages = await phase("page weight", () =>
      measurePages([
        { label: "/", origin, path: "/" },
        { label: "/signup", origin, path: "/signup" },
        { label: "/login", origin, path: "/login" },
        { label: "/account (signed in)", origin, path: "/account", cookies: signedIn.entries() },
      ]),
    );
    // What a signed-in browser sends with every request to the site.
    const cookieBytesPerRequest = Buffer.byteLength(signedIn.cookieHeader());
    const run: ServerRun = { label: "PGlite in memory + in-process store", ...driven, peakRssBytes: peakRssBytes(pid) };
    return { run, pages, cookieBytesPerRequest };
  });
  // The profile is written when the server exits.
  const windows = measured.run.signIn.find((l) => l.concurrency === 8)?.windows;
  const [profile] = cpuProf && existsSync(profileDir) ? readdirSync(profileDir).filter((f) => f.endsWith(".cpuprofile")) : [];
  if (profile && windows) measured.run.profile = summarizeProfile(path.join(profileDir, profile), windows);
  return measured;
}

async function servicesMode(plan: Plan, runId: string, floor: Floor): Promise<ServerRun | Skipped> {
  const needs = Math.max(SERVICES_NEEDS_S, 0.6 * (script.timings["embedded: load"] ?? 0));
  if (TIME_BOX_S - elapsed() < needs) return { skipped: `time box: ${elapsed().toFixed(0)} of ${TIME_BOX_S} s used before it could start, and it needs about ${needs.toFixed(0)}` };
  const backends = await startBackends(cleanup, PORTS, logsDir, { delayProxy: false }).catch((error: unknown) => {
    if (error instanceof NotInstalled) return error;
    throw error;
  });
  if (backends instanceof NotInstalled) return { skipped: backends.message };
  const { DATABASE_URL = "", UPSTASH_REDIS_REST_URL = "", UPSTASH_REDIS_REST_TOKEN = "" } = backends.env;
  return onServer("next-services", { DATABASE_URL, UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN }, [], async (app, pid) => {
    // Concurrency 8 only, where the ratios are taken: the time box is tight.
    const { people, ...driven } = await phase("real services: load", () => drive(app, plan, `${runId}s`, [8], floor, false));
    const queries = await countQueries(app, backends.pg, people[0]!);
    return { label: "PostgreSQL 15 (postgres.js) + redis-server 7 behind the test Upstash REST server; concurrency 8 only", ...driven, peakRssBytes: peakRssBytes(pid), queries };
  });
}

/**
 * Starts the in-process floor: it runs its levels (concurrency 1 and 32), writes them to `file`,
 * and stays, to measure concurrency 8 in slices between the servers' (see interleaved()).
 */
async function startFloor(file: string, quick: boolean): Promise<Floor & { stop(): Promise<void> }> {
  const proc = startProcess(
    "in-process floor",
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", path.join("scripts", "bench", "in-process.ts"), file, ...(quick ? ["--quick"] : [])],
    { cwd: projectDir, env: { ...cleanEnv(), APP_URL: "http://localhost:3000", PGLITE_DIR: "memory://", SESSION_SECRET: randomBytes(32).toString("base64url") }, logFile: path.join(logsDir, "in-process.log"), ipc: true },
  );
  cleanup.add("in-process floor", proc.stop);
  const reply = async (request?: FloorRequest): Promise<FloorReply> => {
    const answer = await within(proc.exchange(request), leftMs());
    if (answer === "timeout") throw new Error("the in-process floor did not answer in time");
    return answer as FloorReply;
  };
  const ready = await reply();
  if (!("ready" in ready)) throw new Error(`the in-process floor did not start: ${JSON.stringify(ready)}`);
  return {
    async slice(key, flow, concurrency, limits) {
      const answer = await reply({ key, flow, concurrency, limits });
      if ("level" in answer) return answer.level;
      throw new Error(`in-process floor, ${flow} at c=${concurrency}: ${"error" in answer ? answer.error : "no answer"}`);
    },
    async stop() {
      await proc.exchange({ stop: true } satisfies FloorRequest).catch(() => undefined);
      await proc.stop();
    },
  };
}

/** `--pglite-memory`: what opening the embedded database costs, three ways. */
async function pgliteMemory(): Promise<void> {
  const env = { ...cleanEnv(), ALLOW_EMBEDDED: "1", APP_URL: "http://localhost:3000", SESSION_SECRET: randomBytes(32).toString("base64url") };
  const costs = await phase("PGlite open, three ways", () => measurePgliteOpen(projectDir, env, path.join(logsDir, "pglite-memory.log")));
  const mb = (b: number | null) => (b === null ? "unknown" : `${(b / 1024 / 1024).toFixed(0)} MB`);
  const report = [
    `PGlite open as db/client.ts does it (initdb if needed, migrations), one fresh process each; ${new Date().toISOString()}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`,
    table(["how", "seconds", "RSS before", "RSS after", "peak RSS"], costs.map((c) => [c.label, c.seconds.toFixed(1), mb(c.rssBeforeBytes), mb(c.rssAfterBytes), mb(c.peakRssBytes)])),
  ].join("\n");
  writeFileSync(path.join(resultsDir, "pglite-memory.json"), JSON.stringify(costs, null, 2));
  console.log(`\n${report}\n\nWritten: bench-results/pglite-memory.json`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes("--pglite-memory")) {
    mkdirSync(logsDir, { recursive: true });
    script.limit(TIME_BOX_S + 5);
    return pgliteMemory();
  }
  const quick = args.includes("--quick");
  const cpuProf = args.includes("--cpu-prof");
  const plan = getPlan(quick);
  const runId = Date.now().toString(36);
  rmSync(logsDir, { recursive: true, force: true });
  mkdirSync(logsDir, { recursive: true });
  const startedAt = new Date().toISOString();
  const loadAverageBefore = os.loadavg();
  const build = (what: string, cwd: string, log: string) => phase(what, () => runToCompletion(what, process.execPath, [nextBin, "build"], { cwd, env: cleanEnv(), logFile: path.join(logsDir, log), timeoutMs: BUILD_TIMEOUT_S * 1000 }));
  if (!args.includes("--no-build")) await build("next build", projectDir, "build.log");
  // Built once per node_modules and kept (in the temp directory).
  const bare = floorApp(projectDir);
  if (!bare.built) await build("framework floor build", bare.dir, "floor-build.log");
  // The time box: from now, a hard stop just past it, whatever is still running (a step that hangs, say).
  boxStart = performance.now();
  script.limit(TIME_BOX_S + 5);

  const inProcessFile = path.join(resultsDir, "in-process.json");
  const floor = await phase("in-process floor", () => startFloor(inProcessFile, quick));
  const { crypto, databaseStartSeconds, peakRssBytes: floorRss, rssBeforeDatabaseBytes, rssAfterDatabaseBytes, signIn, registration, email } = JSON.parse(readFileSync(inProcessFile, "utf8")) as InProcessResult;

  const embedded = await embeddedMode(plan, runId, cpuProf, floor);

  const frameworkFloor = await phase("framework floor page", async () => {
    const port = await freePort(PORTS);
    const server = await startNext("next-floor", bare.dir, port, cleanEnv(), "/");
    try {
      const [weight] = await measurePages([{ label: "framework floor (bare page)", origin: `http://localhost:${port}`, path: "/" }]);
      return { ...weight!, serverPeakRssBytes: peakRssBytes(server.pid) };
    } finally {
      await server.stop();
    }
  });

  const services = await servicesMode(plan, runId, floor);
  await floor.stop();
  const proxyCost = await phase("proxy, in-process", measureProxyCost);

  const inProcess = { label: "lib calls on PGlite in memory + in-process store, no HTTP or Next.js", databaseStartSeconds, peakRssBytes: floorRss, rssBeforeDatabaseBytes, rssAfterDatabaseBytes, signIn, registration, email };
  const results: BenchResults = {
    startedAt,
    quick,
    cpuProf,
    machine: { cpus: os.cpus().length, node: process.version, loadAverageBefore, loadAverageAfter: os.loadavg() },
    phases: { ...script.timings, total: (performance.now() - runStart) / 1000 },
    crypto,
    inProcess,
    embedded: embedded.run,
    services,
    pages: embedded.pages,
    frameworkFloor,
    ratios: computeRatios(embedded.run, services, embedded.pages, frameworkFloor),
    signIn: signInSummary(embedded.run, embedded.cookieBytesPerRequest, proxyCost),
  };
  const report = formatReport(results);
  writeFileSync(path.join(resultsDir, "latest.json"), JSON.stringify(results, null, 2));
  writeFileSync(path.join(resultsDir, "latest.txt"), report + "\n");
  console.log(`\n${report}\n\nWritten: bench-results/latest.json, bench-results/latest.txt (logs in bench-results/logs/)`);
}

const runStart = performance.now();
script.run(main, "\nLogs in bench-results/logs/");
