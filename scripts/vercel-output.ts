/**
 * Reads a Build Output API v3 directory (`.vercel/output`, as `vercel build` writes it) and finds
 * what must not be deployed. Used by scripts/check-vercel.ts; test tooling only.
 *
 * `vercel build` leaves most of a function's files where they are: `.vc-config.json` maps each
 * path in the bundle to a file in the project (`filePathMap`), which `vercel deploy --prebuilt`
 * uploads. A function's contents are its own directory plus those files.
 */
import { closeSync, copyFileSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, realpathSync, symlinkSync } from "node:fs";
import path from "node:path";

export type BundleFile = {
  /** Path inside the function. */
  bundlePath: string;
  /** Where the file is now. */
  source: string;
  /** Path relative to the project when the file comes from the checkout (filePathMap), else null. */
  projectPath: string | null;
  bytes: number;
};

export type FunctionBundle = {
  /** Directory under functions/ without ".func", e.g. "api/health". */
  name: string;
  /** Every route directory that is this function (Vercel links routes sharing a bundle). */
  routes: string[];
  runtime: string;
  /** The file whose export handles requests, relative to the bundle. */
  handler: string;
  files: BundleFile[];
  bytes: number;
};

type VcConfig = { runtime?: string; handler?: string; filePathMap?: Record<string, string> };

/** The functions in outputDir/functions, each once however many routes link to it. */
export function readFunctions(outputDir: string, projectDir: string): FunctionBundle[] {
  const root = path.join(outputDir, "functions");
  const byDir = new Map<string, FunctionBundle>();
  const routes: [string, string][] = [];
  for (const funcDir of findFuncDirs(root)) {
    const real = realpathSync(funcDir);
    routes.push([real, nameOf(root, funcDir)]);
    if (byDir.has(real)) continue;
    const config = JSON.parse(readFileSync(path.join(real, ".vc-config.json"), "utf8")) as VcConfig;
    const files: BundleFile[] = [
      ...walkFiles(real).map((file) => bundleFile(path.relative(real, file), file, null)),
      ...Object.entries(config.filePathMap ?? {}).map(([inBundle, fromProject]) =>
        bundleFile(inBundle, path.join(projectDir, fromProject), fromProject),
      ),
    ];
    byDir.set(real, {
      name: nameOf(realpathSync(root), real),
      routes: [],
      runtime: config.runtime ?? "(none)",
      handler: config.handler ?? "(none)",
      files,
      bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    });
  }
  for (const [real, route] of routes) byDir.get(real)?.routes.push(route);
  return [...byDir.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export type Expectations = {
  /** e.g. "nodejs22.x" */
  runtime: string;
  budgetBytes: number;
  /** Routes that must be served by a function, e.g. "_middleware", "api/health". */
  routes: string[];
  /** Files git tracks, relative to the project. */
  tracked: Set<string>;
};

const ARGON2_LOADER = "node_modules/@node-rs/argon2/index.js";
const ARGON2_BINARY = "node_modules/@node-rs/argon2-linux-x64-gnu/argon2.linux-x64-gnu.node";
const PGLITE = "node_modules/@electric-sql/pglite/";

/** Everything wrong with these functions, one line each; empty when all is well. */
export function findProblems(functions: FunctionBundle[], expect: Expectations): string[] {
  const problems: string[] = [];
  for (const route of expect.routes) {
    if (!functions.some((f) => f.routes.includes(route))) problems.push(`no function serves ${route}`);
  }
  let argon2Seen = false;
  for (const fn of functions) {
    const from = new Map(fn.files.filter((f) => f.projectPath).map((f) => [f.projectPath!, f]));
    if (fn.runtime !== expect.runtime) {
      problems.push(`${fn.name}: runtime ${fn.runtime}, expected ${expect.runtime} (the major in package.json's engines)`);
    }
    if (fn.bytes > expect.budgetBytes) {
      problems.push(`${fn.name}: ${megabytes(fn.bytes)} MB, over the budget of ${megabytes(expect.budgetBytes)} MB`);
    }
    const pglite = [...from.keys()].filter((p) => p.startsWith(PGLITE));
    if (pglite.length) problems.push(`${fn.name}: carries PGlite (${pglite.length} files under ${PGLITE}), which a deployment never loads`);
    if (from.has(ARGON2_LOADER)) {
      argon2Seen = true;
      const binary = from.get(ARGON2_BINARY);
      if (!binary) problems.push(`${fn.name}: has @node-rs/argon2 but not its linux-x64-gnu binary (${ARGON2_BINARY})`);
      else if (!isElfX64(binary.source)) problems.push(`${fn.name}: ${ARGON2_BINARY} is not an x86-64 ELF library`);
    }
    const untracked = [...from.keys()].filter((p) => !p.startsWith("node_modules/") && !p.startsWith(".next/") && !expect.tracked.has(p));
    if (untracked.length) {
      const envFiles = untracked.some((p) => /^\.env(\.|$)/.test(p)) ? " (vercel build copies every .env* file in the root: move them away)" : "";
      problems.push(`${fn.name}: carries files git doesn't track, local state a prebuilt deploy would upload: ${untracked.join(", ")}${envFiles}`);
    }
  }
  if (!argon2Seen) problems.push("no function carries @node-rs/argon2: hashing would fail at run time");
  return problems;
}

/** "12.3": megabytes with one decimal. */
export function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** The largest contributors to a function: npm packages by name, other files by top folder. */
export function largestParts(fn: FunctionBundle, count: number): [string, number][] {
  const parts = new Map<string, number>();
  for (const file of fn.files) {
    const p = file.projectPath ?? file.bundlePath;
    const key = p.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? p.split("/")[0]!;
    parts.set(key, (parts.get(key) ?? 0) + file.bytes);
  }
  return [...parts].sort((a, b) => b[1] - a[1]).slice(0, count);
}

/** Lays the function out in dest as it is deployed: its own files and the mapped ones, links as links. */
export function copyFunction(fn: FunctionBundle, dest: string): void {
  for (const file of fn.files) {
    const to = path.join(dest, file.bundlePath);
    mkdirSync(path.dirname(to), { recursive: true });
    if (lstatSync(file.source).isSymbolicLink()) symlinkSync(readlinkSync(file.source), to);
    else copyFileSync(file.source, to);
  }
}

function bundleFile(bundlePath: string, source: string, projectPath: string | null): BundleFile {
  // A link is uploaded as a link: count its own size, not its target's.
  return { bundlePath, source, projectPath, bytes: lstatSync(source).size };
}

function nameOf(root: string, funcDir: string): string {
  return path.relative(root, funcDir).replace(/\.func$/, "");
}

/** *.func entries (directories or links to them) anywhere under root. */
function findFuncDirs(root: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.name.endsWith(".func")) found.push(full);
    else if (entry.isDirectory()) found.push(...findFuncDirs(full));
  }
  return found;
}

function walkFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walkFiles(full) : [full];
  });
}

/** ELF magic, 64-bit, machine x86-64 (62). */
function isElfX64(file: string): boolean {
  const header = Buffer.alloc(20);
  const fd = openSync(file, "r");
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  return header.readUInt32BE(0) === 0x7f454c46 && header[4] === 2 && header.readUInt16LE(18) === 62;
}
