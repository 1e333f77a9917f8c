import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findProblems, largestParts, readFunctions, type Expectations } from "./vercel-output";

const ARGON2_BINARY = "node_modules/@node-rs/argon2-linux-x64-gnu/argon2.linux-x64-gnu.node";

/** The first 20 bytes of an x86-64 ELF shared object, padded to 100 bytes. */
function elfX64(): Buffer {
  const header = Buffer.alloc(100);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2;
  header.writeUInt16LE(62, 18);
  return header;
}

let project: string;
let output: string;

function projectFile(relative: string, content: string | Buffer): void {
  mkdirSync(path.dirname(path.join(project, relative)), { recursive: true });
  writeFileSync(path.join(project, relative), content);
}

/** A .func directory with a launcher of 10 bytes and these project files mapped in. */
function func(name: string, runtime: string, mapped: string[]): void {
  const dir = path.join(output, "functions", `${name}.func`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "launcher.cjs"), "x".repeat(10));
  const filePathMap = Object.fromEntries(mapped.map((p) => [p, p]));
  writeFileSync(path.join(dir, ".vc-config.json"), JSON.stringify({ runtime, filePathMap }));
}

function link(name: string, target: string): void {
  const at = path.join(output, "functions", `${name}.func`);
  mkdirSync(path.dirname(at), { recursive: true });
  symlinkSync(target, at);
}

const appFiles = ["node_modules/@node-rs/argon2/index.js", ARGON2_BINARY, ".next/server/app/page.js", "db/migrations/0000_init.sql"];

function expectations(overrides: Partial<Expectations> = {}): Expectations {
  return { runtime: "nodejs22.x", budgetBytes: 10_000, routes: ["_middleware", "api/health"], tracked: new Set(["db/migrations/0000_init.sql"]), ...overrides };
}

beforeEach(() => {
  project = mkdtempSync(path.join(os.tmpdir(), "vercel-output-test-"));
  output = path.join(project, ".vercel", "output");
  projectFile("node_modules/@node-rs/argon2/index.js", "a".repeat(200));
  projectFile(ARGON2_BINARY, elfX64());
  projectFile(".next/server/app/page.js", "p".repeat(300));
  projectFile(".next/server/middleware.js", "m".repeat(50));
  projectFile("db/migrations/0000_init.sql", "create table t ();");
  projectFile(".data/dev-session-secret", "a developer's secret");
  projectFile("node_modules/@electric-sql/pglite/dist/pglite.wasm", "w".repeat(1000));
  func("_middleware", "nodejs22.x", [".next/server/middleware.js"]);
  func("index", "nodejs22.x", appFiles);
  mkdirSync(path.join(output, "functions", "api"), { recursive: true });
  link("api/health", "../index.func");
});

afterEach(() => {
  rmSync(project, { recursive: true, force: true });
});

describe("readFunctions", () => {
  it("lists a bundle once with every route linked to it, and sizes its own and mapped files", () => {
    const functions = readFunctions(output, project);
    expect(functions.map((f) => [f.name, f.routes.sort()])).toEqual([
      ["_middleware", ["_middleware"]],
      ["index", ["api/health", "index"]],
    ]);
    const index = functions[1]!;
    const vcConfig = statSync(path.join(output, "functions", "index.func", ".vc-config.json")).size;
    expect(index.bytes).toBe(10 + vcConfig + 200 + 100 + 300 + "create table t ();".length);
    const parts = new Map(largestParts(index, 10));
    expect([parts.get(".next"), parts.get("@node-rs/argon2"), parts.get("@node-rs/argon2-linux-x64-gnu")]).toEqual([300, 200, 100]);
  });
});

describe("findProblems", () => {
  it("finds nothing wrong with a lean build from tracked files", () => {
    expect(findProblems(readFunctions(output, project), expectations())).toEqual([]);
  });

  it("names a file git doesn't track, such as the development session secret", () => {
    func("index", "nodejs22.x", [...appFiles, ".data/dev-session-secret"]);
    expect(findProblems(readFunctions(output, project), expectations())).toEqual([
      "index: carries files git doesn't track, local state a prebuilt deploy would upload: .data/dev-session-secret",
    ]);
  });

  it("says where an untracked .env file comes from", () => {
    projectFile(".env.local", "RESEND_API_KEY=re_live");
    func("index", "nodejs22.x", [...appFiles, ".env.local"]);
    expect(findProblems(readFunctions(output, project), expectations())).toEqual([
      "index: carries files git doesn't track, local state a prebuilt deploy would upload: .env.local (vercel build copies every .env* file in the root: move them away)",
    ]);
  });

  it("names PGlite, and a function over the budget", () => {
    func("index", "nodejs22.x", [...appFiles, "node_modules/@electric-sql/pglite/dist/pglite.wasm"]);
    expect(findProblems(readFunctions(output, project), expectations({ budgetBytes: 1500 }))).toEqual([
      expect.stringMatching(/^index: 0\.0 MB, over the budget of 0\.0 MB$/),
      "index: carries PGlite (1 files under node_modules/@electric-sql/pglite/), which a deployment never loads",
    ]);
  });

  it("names a runtime other than the pinned major, middleware included", () => {
    func("_middleware", "edge", [".next/server/middleware.js"]);
    expect(findProblems(readFunctions(output, project), expectations())).toEqual([
      "_middleware: runtime edge, expected nodejs22.x (the major in package.json's engines)",
    ]);
  });

  it("names argon2 without its binary, or with a binary for another machine", () => {
    func("index", "nodejs22.x", appFiles.filter((p) => p !== ARGON2_BINARY));
    expect(findProblems(readFunctions(output, project), expectations())).toEqual([
      `index: has @node-rs/argon2 but not its linux-x64-gnu binary (${ARGON2_BINARY})`,
    ]);
    projectFile(ARGON2_BINARY, Buffer.alloc(100));
    func("index", "nodejs22.x", appFiles);
    expect(findProblems(readFunctions(output, project), expectations())).toEqual([`index: ${ARGON2_BINARY} is not an x86-64 ELF library`]);
  });

  it("names a route no function serves, and a build without argon2 anywhere", () => {
    rmSync(path.join(output, "functions", "api"), { recursive: true });
    func("index", "nodejs22.x", [".next/server/app/page.js"]);
    expect(findProblems(readFunctions(output, project), expectations())).toEqual([
      "no function serves api/health",
      "no function carries @node-rs/argon2: hashing would fail at run time",
    ]);
  });
});
