import { getConfig } from "@/lib/env";

export const dynamic = "force-dynamic";

/**
 * WebAuthn Related Origin Requests: browsers fetch this from the RP ID's host to learn which
 * other origins (RP_ORIGINS) may use its passkeys. Nothing to serve without RP_ORIGINS.
 */
export function GET() {
  const { relatedOrigins } = getConfig();
  if (!relatedOrigins.length) return new Response("Not found", { status: 404, headers: { "Cache-Control": "no-store" } });
  return Response.json({ origins: relatedOrigins }, { headers: { "Cache-Control": "public, max-age=300" } });
}
