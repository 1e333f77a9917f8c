import { ConfigError, getConfig } from "./env";
import { stampPeerAddresses } from "./peer-address";
import { describeClientKey } from "./rate-limit";

/** Run once at server start (instrumentation.ts): a misconfigured server never takes a request. */
export function checkConfigurationAtStart(): void {
  try {
    const config = getConfig();
    if (config.trustProxy === "none") stampPeerAddresses();
    if (config.notices.length) console.info(`Passwordless is using embedded stand-ins:\n${config.notices.map((n) => `  - ${n}`).join("\n")}`);
    console.info(`Per-client rate limits key on ${describeClientKey(config.trustProxy)}.`);
    for (const warning of config.warnings) console.warn(`\n${"!".repeat(78)}\nWARNING: ${warning}\n${"!".repeat(78)}\n`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`\n${error.message}\n\nSee README.md "Configuration". The server will not start.\n`);
    process.exit(1);
  }
}
