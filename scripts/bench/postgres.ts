/**
 * A throwaway PostgreSQL 15 cluster for the bench's real-services mode: initdb into /tmp as the
 * postgres user, listening on 127.0.0.1 only, removed when stopped. Its statement log lets the
 * bench count the queries one request makes. Bench tooling only.
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { startProcess, waitUntilReady } from "./processes";

const PG_BIN = "/usr/lib/postgresql/15/bin";

export type Postgres = {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** Turns logging of every statement on or off (for counting one request's queries). */
  logStatements(on: boolean): Promise<void>;
  /** Size of the log so far, to mark a point in it. */
  logOffset(): number;
  /** SQL of the statements logged between two marks. */
  statementsBetween(from: number, to: number): string[];
};

/** Why real Postgres can't run here, or null when it can. */
export function postgresUnavailable(): string | null {
  if (!existsSync(path.join(PG_BIN, "initdb")) || !existsSync(path.join(PG_BIN, "postgres"))) return `PostgreSQL 15 not installed (${PG_BIN})`;
  if (process.getuid?.() !== 0) return "not running as root (initdb runs as the postgres user)";
  try {
    execFileSync("id", ["-u", "postgres"], { stdio: "pipe" });
  } catch {
    return "no postgres user";
  }
  return null;
}

export async function startPostgres(port: number, logFile: string): Promise<Postgres> {
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  const dir = mkdtempSync(path.join(tmpdir(), "passwordless-bench-pg-"));
  chownSync(dir, uid, gid);
  const data = path.join(dir, "data");
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync("runuser", ["-u", "postgres", "--", path.join(PG_BIN, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"], {
      stdio: "pipe",
      timeout: 60_000,
    });
  } catch (error) {
    removeDir();
    throw error;
  }
  // Started directly as the postgres user (not through runuser) so the PID is the server's own.
  const proc = startProcess("postgres", path.join(PG_BIN, "postgres"), ["-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${dir}`], {
    uid,
    gid,
    env: { ...process.env, LANG: "C" },
    logFile,
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const admin = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  const stop = async () => {
    await admin.end({ timeout: 2 }).catch(() => {});
    // SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients to disconnect.
    await proc.stop("SIGINT");
    removeDir();
  };
  try {
    await waitUntilReady("postgres", proc, async () => admin`select 1`.then(() => true, () => false), 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    pid: proc.pid,
    stop,
    async logStatements(on) {
      await admin.unsafe(`alter system set log_statement = '${on ? "all" : "none"}'`);
      await admin`select pg_reload_conf()`;
      // Each backend rereads the configuration when it next goes idle; give them a moment.
      await new Promise((resolve) => setTimeout(resolve, 300));
    },
    logOffset: () => statSync(logFile).size,
    statementsBetween(from, to) {
      const text = readFileSync(logFile).subarray(from, to).toString("utf8");
      return [...text.matchAll(/LOG:\s+(?:statement|execute [^:]*):\s*(.*)/g)].map((m) => m[1] ?? "").filter((sql) => !/pg_reload_conf|alter system/i.test(sql));
    },
  };
}
