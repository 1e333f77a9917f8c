import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const services = process.env.VITEST_SERVICES === "1";

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      // "server-only" throws outside Next's react-server build; tests run lib code directly.
      "server-only": fileURLToPath(new URL("./scripts/empty-module.ts", import.meta.url)),
    },
  },
  test: {
    environment: "node",
    setupFiles: ["test/setup.ts"],
    // *.services.test.ts need real servers (redis-server, PostgreSQL): `npm run test:services`.
    include: services ? ["**/*.services.test.ts"] : ["**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".next/**", ...(services ? [] : ["**/*.services.test.ts"])],
    // The configuration tests run with: embedded backends, PGlite in memory, a fixed secret.
    env: { APP_URL: "http://localhost:3000", RP_ORIGINS: "https://related.example", PGLITE_DIR: "memory://", SESSION_SECRET: "test-secret-test-secret-test-secret-0123" },
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
