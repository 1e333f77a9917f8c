import { applyResendEvent, verifyResendSignature } from "@/lib/delivery";
import { getConfig } from "@/lib/env";

export const dynamic = "force-dynamic";

/** Resend's events are a few hundred bytes: anything far larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Resend's delivery webhooks (bounces, complaints, suppressions). Every request must carry a valid
 * signature from RESEND_WEBHOOK_SECRET (401 otherwise); without that secret the endpoint doesn't
 * exist. Svix's own header names and Standard Webhooks' are both accepted.
 */
export async function POST(request: Request) {
  const secret = getConfig().resendWebhookSecret;
  if (!secret) return new Response("Not found", { status: 404 });
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) return new Response("Too large", { status: 413 });
  const body = await request.text();
  if (body.length > MAX_BODY_BYTES) return new Response("Too large", { status: 413 });
  const header = (name: string) => request.headers.get(`svix-${name}`) ?? request.headers.get(`webhook-${name}`);
  if (!verifyResendSignature(secret, { id: header("id"), timestamp: header("timestamp"), signature: header("signature") }, body)) {
    return new Response("Invalid signature", { status: 401 });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return new Response("Malformed event", { status: 400 });
  }
  const outcome = await applyResendEvent(payload);
  return new Response(outcome === "malformed" ? "Malformed event" : "OK", { status: outcome === "malformed" ? 400 : 200 });
}
