import { z } from "zod";
import { safeNextPath } from "@/lib/safe-next";
import { redeemSignInGrant } from "@/lib/sign-in";

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
  const redeemed = parsed.success ? await redeemSignInGrant(parsed.data.grant) : null;
  const location = redeemed?.ok ? safeNextPath(parsed.data?.next) : "/login?error=challenge_expired";
  return new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store" } });
}
