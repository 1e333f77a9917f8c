import { defineConfig } from "drizzle-kit";

// drizzle-kit runs outside the app, so it reads DATABASE_URL itself (lib/env.ts serves the app).
// Migrations prefer a direct connection where one is given (Neon's integration sets
// DATABASE_URL_UNPOOLED): DDL has no business going through a transaction-mode pooler.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./db/migrations",
  dbCredentials: { url: process.env.DATABASE_URL_UNPOOLED || process.env.DATABASE_URL || "postgres://localhost:5432/passwordless" },
});
