import { z } from "zod";
import { messageFor } from "@/lib/shared/errors";
import { safeNextPath } from "@/lib/safe-next";
import { redeemSignInGrant } from "@/lib/sign-in";
import { loggable } from "@/app/action-adapter";

const formSchema = z.object({ grant: z.string().max(64), next: z.string().max(2048).optional() });

/**
 * The navigation after a passkey sign-in: redeems the grant the verify step handed the page (see
 * lib/sign-in.ts), sets the session cookie, and sends the browser on (303: a GET of `next`).
 */
export async function POST(request: Request): Promise<Response> {
  let form: FormData | null = null;
  try {
    form = await request.formData();
  } catch {
    // not a form: refused below
  }
  const parsed = formSchema.safeParse({ grant: form?.get("grant"), next: form?.get("next") ?? undefined });
  let redeemed: Awaited<ReturnType<typeof redeemSignInGrant>> | null;
  try {
    redeemed = parsed.success ? await redeemSignInGrant(parsed.data.grant) : null;
  } catch (error) {
    // A backend is down: a route handler's throw would be a bare 500 the browser shows as its own error page.
    console.error("sign-in collection failed:", loggable(error));
    return unavailable(safeNextPath(parsed.data?.next));
  }
  const location = redeemed?.ok ? safeNextPath(parsed.data?.next) : "/login?error=challenge_expired";
  return new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store" } });
}

/** A 503 page that needs no backend: the message, and the way back to sign in. */
function unavailable(next: string): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Try again in a moment</title></head><body><main><h1>Try again in a moment</h1><p>${messageFor("unavailable")}</p><p><a href="/login?next=${encodeURIComponent(next)}">Back to sign in</a></p></main></body></html>`;
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "Retry-After": "5" } });
}
