/**
 * `npm run check:vercel`: builds the app as Vercel does and checks what a deployment would get,
 * with no Vercel account and no network beyond the npm registry. Runs in this checkout.
 *
 * 1. The Vercel CLI, pinned with its own lockfile (scripts/vercel-cli/), installed once into a
 *    cache folder outside the checkout: it is 360 MB that no other script needs.
 * 2. A throwaway PostgreSQL, redis-server and the Upstash REST stand-in on 127.0.0.1.
 * 3. Decoy local state (a development session secret, a PGlite file in .data/, when absent), a
 *    hand-written .vercel/project.json, then `vercel build --prod --yes` with the variables the
 *    Neon and Upstash integrations set pointing at those servers and dummy values for the rest.
 *    `vercel-build` migrates that database, as on every deploy.
 * 4. The migrations reached the database, and the output (Build Output API v3, .vercel/output)
 *    passes scripts/vercel-output.ts: size budget, Node major, argon2's binary, no PGlite, no
 *    file git doesn't track, the proxy (middleware) on Node.js.
 * 5. The function serving /api/health, copied out of the checkout with nothing but its own files,
 *    started as Vercel would (VERCEL=1, production) and asked /api/health: 200 with the database
 *    and store reachable. argon2 must hash from that copy too.
 *
 * Everything it starts it stops by PID, on failure and Ctrl-C too (scripts/processes.ts's Script);
 * it gives up after 15 minutes.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { runToCompletion, Script } from "./processes";
import { freePort, httpStatus, startServer, withoutAppEnv } from "./services";
import { startBackends } from "./stack";
import { copyFunction, findProblems, largestParts, megabytes, readFunctions, type FunctionBundle } from "./vercel-output";

/** Throwaway backends, and the booted function, clear of the other suites' ports. */
const BACKEND_PORTS = { from: 3400, to: 3409 };
const FUNCTION_PORTS = { from: 3110, to: 3119 };
/** Per function, uncompressed. Vercel allows 250 MB; today's functions are about 5 MB. */
const BUDGET_BYTES = 15e6;
/** Hang guards, well above a cold build on a loaded machine (6 minutes seen at load 11 and up). */
const TOTAL_TIMEOUT_S = 15 * 60;
const BUILD_TIMEOUT_MS = 11 * 60_000;
const BOOT_TIMEOUT_MS = 30_000;
const LOG_DIR = path.join("test-results", "check-vercel");
const PROJECT = process.cwd();
const OUTPUT = path.join(PROJECT, ".vercel", "output");
const PROJECT_JSON = path.join(PROJECT, ".vercel", "project.json");

const script = new Script("check:vercel");
const { cleanup } = script;

/** The pinned CLI, installed from scripts/vercel-cli/ into a cache folder named after its lockfile. */
async function vercelCli(): Promise<string> {
  const source = path.join(PROJECT, "scripts", "vercel-cli");
  const lock = readFileSync(path.join(source, "package-lock.json"));
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  const dir = path.join(cache, "passwordless", `vercel-cli-${createHash("sha256").update(lock).digest("hex").slice(0, 12)}`);
  const bin = path.join(dir, "node_modules", "vercel", "dist", "vc.js");
  if (existsSync(bin)) {
    console.log(`  cached in ${dir}`);
    return bin;
  }
  // Installed beside, then renamed: an interrupted install never looks complete.
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  cleanup.add("partial Vercel CLI install", async () => rmSync(partial, { recursive: true, force: true }));
  for (const file of ["package.json", "package-lock.json"]) writeFileSync(path.join(partial, file), readFileSync(path.join(source, file)));
  // install, not ci: the lockfile can't list the other platforms' @vercel/vc-native packages (the
  // registry here doesn't have them), which npm ci requires; npm install follows the lockfile.
  await runToCompletion("npm install (Vercel CLI)", "npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: partial, show: true, timeoutMs: 5 * 60_000 });
  renameSync(partial, dir);
  if (!existsSync(bin)) throw new Error(`the Vercel CLI installed without ${path.relative(dir, bin)}`);
  return bin;
}

/** Creates each missing file (and its folders) and removes, at the end, only what it created. */
function plantDecoys(files: string[]): string[] {
  const planted: string[] = [];
  for (const file of files) {
    const full = path.join(PROJECT, file);
    if (existsSync(full)) continue;
    const made = mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, `decoy for npm run check:vercel ${randomBytes(16).toString("hex")}\n`, { mode: 0o600 });
    planted.push(file);
    cleanup.add(`decoy ${file}`, async () => {
      rmSync(full, { force: true });
      // Remove the folders it made, innermost first, if nothing else went into them.
      for (let dir = path.dirname(full); made && dir.startsWith(made); dir = path.dirname(dir)) {
        try {
          rmdirSync(dir);
        } catch {
          break;
        }
      }
    });
  }
  return planted;
}

/**
 * What `vercel link` would write, by hand: no account needed. The project's Node setting differs
 * from package.json's engines on purpose: engines must win over it.
 */
function writeProjectSettings(): void {
  const previous = existsSync(PROJECT_JSON) ? readFileSync(PROJECT_JSON) : null;
  mkdirSync(path.dirname(PROJECT_JSON), { recursive: true });
  writeFileSync(
    PROJECT_JSON,
    JSON.stringify({ projectId: "prj_checkvercel", orgId: "team_checkvercel", settings: { framework: "nextjs", nodeVersion: "24.x" } }, null, 2),
  );
  cleanup.add(".vercel/project.json", async () => (previous ? writeFileSync(PROJECT_JSON, previous) : rmSync(PROJECT_JSON, { force: true })));
}

function trackedFiles(): Set<string> {
  const listed = spawnSync("git", ["ls-files", "-z"], { cwd: PROJECT, encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`git ls-files failed: is this a git checkout? ${listed.stderr}`);
  return new Set(listed.stdout.split("\0").filter(Boolean));
}

/** "nodejs22.x" from engines "22.x": the runtime Vercel must pick. */
function expectedRuntime(): string {
  const engines = (JSON.parse(readFileSync(path.join(PROJECT, "package.json"), "utf8")) as { engines?: { node?: string } }).engines?.node ?? "";
  const major = engines.match(/^(\d+)\.x$/)?.[1];
  if (!major) throw new Error(`package.json engines.node is ${JSON.stringify(engines)}; pin a major such as "22.x" so Vercel can't switch on its own`);
  return `nodejs${major}.x`;
}

async function migrationsApplied(url: string): Promise<void> {
  const journal = JSON.parse(readFileSync(path.join(PROJECT, "db", "migrations", "meta", "_journal.json"), "utf8")) as { entries: unknown[] };
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    if (row?.n !== journal.entries.length) throw new Error(`the database has ${row?.n} migrations applied, db/migrations has ${journal.entries.length}`);
    console.log(`  ${row.n} of ${journal.entries.length} migrations applied`);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function report(functions: FunctionBundle[]): void {
  for (const fn of functions) {
    const parts = largestParts(fn, 3)
      .map(([name, bytes]) => `${name} ${megabytes(bytes)}`)
      .join(", ");
    const routes = fn.routes.length > 1 ? ` (+${fn.routes.length - 1} routes)` : "";
    console.log(`  ${megabytes(fn.bytes).padStart(5)} MB  ${fn.runtime}  ${fn.name}${routes}: ${parts}`);
  }
}

/** Starts the function from its own copy, as Vercel would, and asks it /api/health. */
async function bootFunction(fn: FunctionBundle, deployment: Record<string, string>): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "passwordless-function-"));
  cleanup.add(`function copy in ${dir}`, async () => rmSync(dir, { recursive: true, force: true }));
  copyFunction(fn, dir);
  const port = await freePort(FUNCTION_PORTS);
  // The launcher exports a Node (req, res) handler; Vercel's runtime calls it the same way.
  const harness = `require("node:http").createServer(require(process.argv[1])).listen(Number(process.argv[2]), "127.0.0.1")`;
  const url = `http://127.0.0.1:${port}`;
  const env = { PATH: process.env.PATH, ...deployment, VERCEL: "1", VERCEL_ENV: "production", NODE_ENV: "production" as const };
  const service = await startServer(`function ${fn.name} on port ${port}`, process.execPath, ["-e", harness, path.join(dir, fn.handler), String(port)], { env, logFile: path.join(LOG_DIR, "function.log") }, async () => (await httpStatus(`${url}/api/health`, 5000)) !== null, BOOT_TIMEOUT_MS);
  cleanup.add(`function ${fn.name}`, service.stop);

  const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  const health = JSON.parse(body) as { ok?: boolean; database?: { backend?: string; ok?: boolean }; store?: { backend?: string; ok?: boolean } };
  const healthy = response.status === 200 && health.ok && health.database?.backend === "postgres" && health.database.ok && health.store?.backend === "upstash" && health.store.ok;
  if (!healthy) throw new Error(`/api/health from the function's own copy answered ${response.status} ${body} (log: ${LOG_DIR}/function.log)`);
  console.log(`  /api/health: ${response.status} ${body}`);

  const hashed = spawnSync(process.execPath, ["-e", `require("@node-rs/argon2").hashSync("check:vercel")`], { cwd: dir, encoding: "utf8", timeout: 20_000 });
  if (hashed.status !== 0) throw new Error(`@node-rs/argon2 does not load from the function's copy:\n${hashed.stderr}`);
  console.log("  @node-rs/argon2 hashes from the function's copy");
}

async function main(): Promise<void> {
  const runtime = expectedRuntime();
  const nodeMajor = `nodejs${process.versions.node.split(".")[0]}.x`;
  if (nodeMajor !== runtime) console.warn(`Note: this is Node ${process.versions.node}; the functions run on ${runtime} (CI uses that major).`);
  mkdirSync(LOG_DIR, { recursive: true });

  const cli = await script.step("Vercel CLI (scripts/vercel-cli, cached outside the checkout)", vercelCli);
  // Not migrated: vercel-build must do that, as on every deploy.
  const backends = await script.step("PostgreSQL, redis-server and the Upstash REST stand-in", () => startBackends(cleanup, BACKEND_PORTS, LOG_DIR, { migrate: false, delayProxy: false }));
  const { DATABASE_URL, UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN } = backends.env;

  // What a production deployment's environment holds: the integrations' variables and the four a
  // person sets (dummies where nothing is reached: the check sends no mail).
  const deployment: Record<string, string> = {
    DATABASE_URL: DATABASE_URL!,
    DATABASE_URL_UNPOOLED: DATABASE_URL!,
    KV_REST_API_URL: UPSTASH_REDIS_REST_URL!,
    KV_REST_API_TOKEN: UPSTASH_REDIS_REST_TOKEN!,
    APP_URL: "https://passwordless.example",
    SESSION_SECRET: randomBytes(32).toString("base64url"),
    RESEND_API_KEY: "re_check_vercel_dummy",
    EMAIL_FROM: "Passwordless <auth@passwordless.example>",
  };

  await script.step("vercel build --prod --yes", async () => {
    const planted = plantDecoys([".data/dev-session-secret", ".data/pglite/PG_VERSION"]);
    if (planted.length) console.log(`  decoys: ${planted.join(", ")}`);
    writeProjectSettings();
    rmSync(OUTPUT, { recursive: true, force: true });
    const env = { ...withoutAppEnv(), ...deployment, VERCEL_TELEMETRY_DISABLED: "1", NO_UPDATE_NOTIFIER: "1" };
    await runToCompletion("vercel build", process.execPath, [cli, "build", "--prod", "--yes"], { env, show: true, timeoutMs: BUILD_TIMEOUT_MS });
  });

  await script.step("migrations in the database", () => migrationsApplied(backends.pg.url));

  const functions = await script.step(".vercel/output", () => {
    const config = JSON.parse(readFileSync(path.join(OUTPUT, "config.json"), "utf8")) as { version?: number; routes?: { middlewarePath?: string }[] };
    if (config.version !== 3) throw new Error(`.vercel/output/config.json has version ${config.version}, expected 3`);
    const found = readFunctions(OUTPUT, PROJECT);
    report(found);
    const problems = findProblems(found, { runtime, budgetBytes: BUDGET_BYTES, routes: ["_middleware", "api/health"], tracked: trackedFiles() });
    // proxy.ts runs before every route but static assets, as a Node.js function.
    if (!config.routes?.some((r) => r.middlewarePath === "/_middleware")) problems.push("config.json routes nothing through the proxy (_middleware)");
    if (problems.length) throw new Error(`the build output has problems:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    console.log(`  every function within ${megabytes(BUDGET_BYTES)} MB on ${runtime}; argon2 for linux-x64-gnu; no PGlite; nothing git doesn't track`);
    return found;
  });

  await script.step("the /api/health function, booted from its own copy", async () => {
    const fn = functions.find((f) => f.routes.includes("api/health"))!;
    await bootFunction(fn, deployment);
  });
}

script.limit(TOTAL_TIMEOUT_S);
script.run(main);
