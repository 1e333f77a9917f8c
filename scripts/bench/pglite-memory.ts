/**
 * What opening the embedded database costs in memory and time, the way the app opens it
 * (db/client.ts: same start parameters, migrations included), each in a fresh process: in memory
 * (PGLITE_DIR=memory://, as the e2e suite and the bench run), a new data directory (the first
 * `npm run dev`), and the same directory again (every later `npm run dev`). Run by
 * `npm run bench -- --pglite-memory`; as a child (`--child <label> <out.json>`) it opens one
 * and writes what it cost.
 * Bench tooling only.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { peakRssBytes, rssBytes, runToCompletion } from "../processes";

export type OpenCost = { label: string; seconds: number; rssBeforeBytes: number | null; rssAfterBytes: number | null; peakRssBytes: number | null };

async function child(label: string, out: string): Promise<void> {
  // Loaded here, not at the top: the parent (run.ts) runs without the react-server condition.
  const { getDb } = await import("@/db/client");
  const rssBeforeBytes = rssBytes(process.pid);
  const start = performance.now();
  await getDb();
  const cost: OpenCost = { label, seconds: (performance.now() - start) / 1000, rssBeforeBytes, rssAfterBytes: rssBytes(process.pid), peakRssBytes: peakRssBytes(process.pid) };
  writeFileSync(out, JSON.stringify(cost));
}

/** Opens the database three ways, one process each, and returns what each cost. */
export async function measurePgliteOpen(projectDir: string, env: NodeJS.ProcessEnv, logFile: string): Promise<OpenCost[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "passwordless-bench-pglite-"));
  try {
    const runs: { label: string; dir: string }[] = [
      { label: "in memory (memory://), initdb + migrations", dir: "memory://" },
      { label: "new data directory (first npm run dev), initdb + migrations", dir: dataDir },
      { label: "same directory reopened (later npm run dev)", dir: dataDir },
    ];
    const costs: OpenCost[] = [];
    const out = path.join(dataDir, "..", `${path.basename(dataDir)}.json`);
    for (const run of runs) {
      await runToCompletion(
        `PGlite open: ${run.label}`,
        process.execPath,
        ["--conditions=react-server", "--import", "tsx", path.join("scripts", "bench", "pglite-memory.ts"), "--child", run.label, out],
        { cwd: projectDir, env: { ...env, PGLITE_DIR: run.dir }, logFile, timeoutMs: 180_000 },
      );
      costs.push(JSON.parse(readFileSync(out, "utf8")) as OpenCost);
      rmSync(out);
    }
    return costs;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const [flag, label = "", out] = process.argv.slice(2);
if (flag === "--child" && out) {
  child(label, out).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
