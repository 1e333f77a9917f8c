import { ConfigError, getConfig } from "./env";

/** Run once at server start (instrumentation.ts): a misconfigured server never takes a request. */
export function checkConfigurationAtStart(): void {
  try {
    const config = getConfig();
    if (config.notices.length) console.info(`Passwordless is using embedded stand-ins:\n${config.notices.map((n) => `  - ${n}`).join("\n")}`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`\n${error.message}\n\nSee README.md "Configuration". The server will not start.\n`);
    process.exit(1);
  }
}
