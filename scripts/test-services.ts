/**
 * `npm run test:services`: everything that needs real servers, in order, all on 127.0.0.1.
 *
 * 1. vitest's *.services.test.ts: the ephemeral-store contract against a real redis-server, and
 *    races PGlite can't show (it takes transactions in turn) against a real PostgreSQL.
 * 2. A throwaway PostgreSQL cluster and redis-server, the Upstash REST stand-in in front of that
 *    Redis, and the Resend stand-in (scripts/mail-recorder.ts).
 * 3. The migrations (`npm run db:migrate`), a production build, and two `next start` instances
 *    sharing those backends, configured as production is (no ALLOW_EMBEDDED).
 * 4. e2e/services/ (two instances, faults, start-up configuration) and the journeys tagged @smoke
 *    or @services against instance 1 (`--all`: every journey); the fault specs stop and restart
 *    PostgreSQL and Redis through a small control server here.
 * 5. A 30-second soak (scripts/soak/) with one fault of each kind, on two fresh instances behind
 *    a round-robin front; fails if its audit finds anything lost, duplicated, half-made, a 500 or a hang.
 *
 * Everything it starts, it stops: on success, on failure, on Ctrl-C or SIGTERM.
 * Arguments go to Playwright, e.g. `npm run test:services -- -g "two instances"`.
 */
import { rmSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { runToCompletion, Script } from "./processes";
import { freePort, listenOnLoopback, startNext } from "./services";
import { auditProblems, formatSoak, runSoak } from "./soak/soak";
import { startBackends } from "./stack";
import { target } from "../e2e/target";

/** Clear of `npm test` (3100), `npm run dev` (3000) and the bench (3700-3799) on a shared machine. */
const PORTS = { from: 3200, to: 3299 };
const LOG_DIR = path.join("test-results", "services-logs");
/** A bound for each command, well above what it takes on a busy machine. */
const COMMAND_TIMEOUT_MS = 30 * 60_000;

const script = new Script("test:services");
const { cleanup } = script;
const step = script.step.bind(script);

/** Runs a command to completion, its output shown. */
function command(binary: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  return runToCompletion(`${binary} ${args.join(" ")}`, binary, args, { env: { ...process.env, ...env }, show: true, timeoutMs: COMMAND_TIMEOUT_MS });
}

/**
 * POST /<service>/<stop|start>: the fault specs' switch for PostgreSQL and Redis. Answers once
 * the service is down (or up and answering).
 */
function startControlServer(actions: Record<string, () => Promise<void>>, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const action = req.method === "POST" ? actions[new URL(req.url ?? "/", "http://localhost").pathname] : undefined;
    if (!action) {
      res.writeHead(404).end();
      return;
    }
    action().then(
      () => res.writeHead(204).end(),
      (error: unknown) => res.writeHead(500, { "Content-Type": "text/plain" }).end(error instanceof Error ? error.message : String(error)),
    );
  });
  return listenOnLoopback(server, port);
}

async function main(): Promise<void> {
  const bin = (tool: string) => path.join("node_modules", ".bin", tool);
  rmSync(LOG_DIR, { recursive: true, force: true });

  await step("vitest: *.services.test.ts (redis-server, PostgreSQL)", () => command(bin("vitest"), ["run"], { VITEST_SERVICES: "1" }));

  const backends = await startBackends(cleanup, PORTS, LOG_DIR, { step });
  const { pg, redis, mailUrl } = backends;
  const [firstPort, secondPort] = [await freePort(PORTS), await freePort(PORTS)];
  // Both instances serve one public origin, as behind a load balancer: WebAuthn checks it.
  const appUrl = `http://localhost:${firstPort}`;
  const appEnv: Record<string, string> = { ...backends.env, APP_URL: appUrl, RESEND_WEBHOOK_SECRET: target.webhookSecret };

  await step("npm run build", () => command("npm", ["run", "build"], appEnv));
  const instance = async (port: number, n: number) => {
    const server = await startNext({ port, env: appEnv, logFile: path.join(LOG_DIR, `next-${n}.log`) });
    cleanup.add(`next start on port ${port}`, server.stop);
    return server;
  };
  const [first, second] = await step("two next start instances", () => Promise.all([instance(firstPort, 1), instance(secondPort, 2)]));
  console.log(`  instance 1: ${appUrl} (${first.url}), instance 2: http://localhost:${secondPort} (${second.url}); logs in ${LOG_DIR}/`);

  const control = await startControlServer(
    { "/postgres/stop": pg.pause, "/postgres/start": pg.resume, "/redis/stop": redis.pause, "/redis/start": redis.resume },
    await freePort(PORTS),
  );
  cleanup.add("control server", control.close);

  // `--all`: every Chromium journey, not only e2e/services/, @smoke and @services (playwright.config.ts).
  const all = process.argv.includes("--all");
  const playwrightArgs = process.argv.slice(2).filter((arg) => arg !== "--all");
  await step(`playwright: ${all ? "every journey" : "e2e/services/, @smoke and @services"} on real services`, () =>
    command(bin("playwright"), ["test", ...playwrightArgs], {
      E2E_BASE_URL: appUrl,
      E2E_WEB_SERVER: "0",
      E2E_SERVICES: "1",
      E2E_SERVICES_ALL: all ? "1" : "",
      MAIL_RECORDER_URL: mailUrl,
      E2E_SECOND_URL: `http://localhost:${secondPort}`,
      E2E_CONTROL_URL: control.url,
      E2E_DATABASE_URL: pg.url,
      E2E_RP_ORIGINS: appEnv.RP_ORIGINS!,
    }),
  );

  await step("soak: 30 s, one fault of each kind, then the audit", async () => {
    await Promise.all([first.stop(), second.stop()]);
    const results = await runSoak(backends, { seconds: 30, ports: PORTS, logDir: LOG_DIR });
    console.log(formatSoak(results));
    const problems = auditProblems(results);
    if (problems.length) throw new Error(`the soak's audit found ${problems.join(", ")}`);
  });
}

script.run(main, `\nServer logs: ${LOG_DIR}/`);
