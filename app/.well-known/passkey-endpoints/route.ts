import { getConfig } from "@/lib/env";

/** Read at request time: APP_URL is the running deployment's, not the build's. */
export const dynamic = "force-dynamic";

/**
 * Where password managers and browsers can send people to create and manage passkeys here
 * (W3C "A Well-Known URL for Relying Party Passkey Endpoints"): JSON, public, the same for
 * everyone, so any cache may keep it for a day.
 */
export function GET(): Response {
  const { appUrl } = getConfig();
  return Response.json(
    { enroll: new URL("/account#add-passkey", appUrl).href, manage: new URL("/account#passkeys", appUrl).href },
    { headers: { "Cache-Control": "public, max-age=86400", "Access-Control-Allow-Origin": "*" } },
  );
}
