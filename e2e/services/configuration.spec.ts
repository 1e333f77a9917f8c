import { expect, test } from "@playwright/test";
import { spawn } from "node:child_process";
import path from "node:path";
import { freePort, startNext } from "../../scripts/services";
import { stack } from "./stack";

// Servers these tests start, on ports clear of the suite's own.
const PORTS = { from: 3200, to: 3299 };
/** Every variable the app reads, blanked, so nothing leaks in from the shell that ran the tests. */
const NO_APP_CONFIG = Object.fromEntries(
  ["APP_URL", "RP_ORIGINS", "SESSION_SECRET", "DATABASE_URL", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "KV_REST_API_URL", "KV_REST_API_TOKEN", "RESEND_API_KEY", "RESEND_BASE_URL", "EMAIL_FROM", "ALLOW_EMBEDDED", "VERCEL"].map((name) => [name, ""]),
);

/** Runs `next start` until it exits (or 20 s pass); returns its exit code and output. */
function runNextStart(port: number, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [path.join("node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
    env: { ...process.env, ...NO_APP_CONFIG, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test("a production start without the real backends stops at once, naming each missing variable", async () => {
  const port = await freePort(PORTS);
  const { code, output } = await runNextStart(port, { APP_URL: `http://localhost:${port}` });
  expect(code).toBe(1);
  expect(output).toContain("Invalid configuration");
  const missing = output.split("\n").find((line) => line.includes("missing "));
  for (const name of ["SESSION_SECRET", "DATABASE_URL", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "RESEND_API_KEY", "EMAIL_FROM"]) {
    expect(missing).toContain(name);
  }
  expect(missing).not.toContain("APP_URL");
  expect(output).toContain("The server will not start.");
});

test("/.well-known/webauthn lists RP_ORIGINS, and is a 404 where they are unset", async ({ request }) => {
  const listed = await request.get(`${stack.first}/.well-known/webauthn`);
  expect(listed.status()).toBe(200);
  expect(listed.headers()["content-type"]).toContain("application/json");
  expect(await listed.json()).toEqual({ origins: stack.rpOrigins });

  const port = await freePort(PORTS);
  const server = await startNext({
    port,
    env: { ...NO_APP_CONFIG, ALLOW_EMBEDDED: "1", PGLITE_DIR: "memory://", APP_URL: `http://localhost:${port}` },
    logFile: path.join(test.info().outputDir, "next.log"),
    // Not /api/health: that starts PGlite, seconds of CPU this test doesn't need.
    readyPath: "/.well-known/webauthn",
  });
  try {
    expect((await request.get(`${server.url}/.well-known/webauthn`)).status()).toBe(404);
  } finally {
    await server.stop();
  }
});
