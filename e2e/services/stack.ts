import { target } from "../target";

/** What scripts/test-services.ts started, as the specs in this folder reach it. */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: the specs in e2e/services/ run under \`npm run test:services\``);
  return value;
}

export const stack = {
  /** Instance 1: APP_URL, where pages load from. */
  first: target.baseURL,
  /** Instance 2: the same build, configuration and backends on another port. */
  second: required("E2E_SECOND_URL"),
  databaseUrl: required("E2E_DATABASE_URL"),
  rpOrigins: required("E2E_RP_ORIGINS").split(","),
};

/** Stops or starts the shared PostgreSQL or Redis; resolves once it is down, or up and answering. */
export async function switchService(service: "postgres" | "redis", state: "stop" | "start"): Promise<void> {
  const res = await fetch(`${required("E2E_CONTROL_URL")}/${service}/${state}`, { method: "POST", signal: AbortSignal.timeout(30_000) });
  if (res.status !== 204) throw new Error(`could not ${state} ${service}: ${res.status} ${await res.text()}`);
}
