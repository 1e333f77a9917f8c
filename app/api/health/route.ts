import { pingDb } from "@/db/client";
import { getConfig } from "@/lib/env";
import { kv } from "@/lib/kv";

export const dynamic = "force-dynamic";

type Check = { backend: string; ok: boolean };

async function check(backend: string, probe: () => Promise<unknown>): Promise<Check> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 3000))]);
    return { backend, ok: true };
  } catch {
    return { backend, ok: false };
  }
}

/** Which backends are in use and whether each answers; 503 when any does not. */
export async function GET() {
  const config = getConfig();
  const [database, store] = await Promise.all([
    check(config.databaseUrl ? "postgres" : "pglite", pingDb),
    check(kv().kind, () => kv().ping()),
  ]);
  // Mail is left out: whether a dev outbox is on is nobody's business but the operator's.
  const ok = database.ok && store.ok;
  return Response.json({ ok, database, store }, { status: ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
