/**
 * `npm run soak` (see soak.ts): the backends, a production build, the soak, its report in
 * soak-results/; exits non-zero if the audit finds anything.
 *
 *   npm run soak                       3 minutes (after a production build)
 *   npm run soak -- --minutes 1.5      or --seconds 30; --rate 3 (journeys a second); --no-build
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runToCompletion, Script } from "../processes";
import { startBackends } from "../stack";
import { auditProblems, formatSoak, PORTS, runSoak } from "./soak";

function numberArg(args: string[], name: string): number | undefined {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : undefined;
  if (value !== undefined && !(value > 0)) throw new Error(`${name} needs a positive number`);
  return value;
}

const script = new Script("soak");

script.run(async () => {
  const args = process.argv.slice(2);
  const seconds = numberArg(args, "--seconds") ?? (numberArg(args, "--minutes") ?? 3) * 60;
  const resultsDir = path.join(process.cwd(), "soak-results");
  const logDir = path.join(resultsDir, "logs");
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  // Bounded whatever happens: start-up, the run, and the audit, then everything is stopped.
  script.limit(seconds + 600);
  const backends = await startBackends(script.cleanup, PORTS, logDir);
  if (!args.includes("--no-build")) {
    const nextBin = path.join("node_modules", "next", "dist", "bin", "next");
    await runToCompletion("next build", process.execPath, [nextBin, "build"], { env: { ...process.env, ...backends.env }, logFile: path.join(logDir, "build.log"), timeoutMs: 600_000 });
  }
  const results = await runSoak(backends, { seconds, rate: numberArg(args, "--rate"), ports: PORTS, logDir });
  const report = formatSoak(results);
  writeFileSync(path.join(resultsDir, "latest.json"), JSON.stringify(results, null, 2));
  writeFileSync(path.join(resultsDir, "latest.txt"), report + "\n");
  console.log(`\n${report}\n\nWritten: soak-results/latest.json, soak-results/latest.txt (logs in soak-results/logs/)`);
  const problems = auditProblems(results);
  if (problems.length) throw new Error(`the audit found ${problems.join(", ")}`);
});
