import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { kv } from "./kv";
import { sha256Hex } from "./secrets";

/**
 * Whether mail to an address gets through, as Resend's webhooks report it (bounces, complaints,
 * suppressions), kept per address (hashed) so a waiting "check your email" page can say when its
 * mail bounced. Only pages that mail the typed address whether or not it has an account may say
 * so (sign-up), so the answer can't tell who has one.
 */
export type DeliveryState = "bounced" | "complained" | "suppressed";
const STATE_TTL_SECONDS = 30 * 24 * 60 * 60;
const stateKey = (address: string) => `delivery:${sha256Hex(address.trim().toLowerCase())}`;

export async function recordDelivery(address: string, state: DeliveryState, at = Date.now()): Promise<void> {
  await kv().set(stateKey(address), JSON.stringify({ state, at }), STATE_TTL_SECONDS);
}

/** Mail to the address failed (bounced, or not sent because it is suppressed) at or after `since` (ms). */
export async function undeliverableSince(address: string, since: number): Promise<boolean> {
  const raw = await kv().get(stateKey(address));
  if (!raw) return false;
  const { state, at } = JSON.parse(raw) as { state: DeliveryState; at: number };
  return state !== "complained" && at >= since;
}

/** How far a webhook's timestamp may be from our clock (Svix's and Standard Webhooks' default). */
const TOLERANCE_SECONDS = 5 * 60;

/**
 * Resend signs webhooks the Svix way (Standard Webhooks): base64 HMAC-SHA256, keyed with the
 * secret's base64 part after "whsec_", over `${id}.${timestamp}.${raw body}`; the signature header
 * lists "v1,<signature>" entries separated by spaces (more than one while a secret rotates). A
 * timestamp more than five minutes off is refused, so an old delivery can't be replayed later.
 */
export function verifyResendSignature(secret: string, headers: { id: string | null; timestamp: string | null; signature: string | null }, body: string, now = Date.now()): boolean {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const expected = createHmac("sha256", Buffer.from(secret.replace(/^whsec_/, ""), "base64"))
    .update(`${id}.${timestamp}.${body}`)
    .digest();
  return signature.split(" ").some((entry) => {
    const [version, value] = entry.split(",");
    if (version !== "v1" || !value) return false;
    const given = Buffer.from(value, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** The events that change an address's state; any other type is acknowledged and ignored. */
const eventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("email.bounced"), data: z.object({ to: z.array(z.string()), bounce: z.object({ type: z.string() }).optional() }) }),
  z.object({ type: z.literal("email.complained"), data: z.object({ to: z.array(z.string()) }) }),
  z.object({ type: z.literal("email.suppressed"), data: z.object({ to: z.array(z.string()) }) }),
  z.object({ type: z.literal("suppression.added"), data: z.object({ email: z.string() }) }),
]);

/** Applies a verified webhook's event: "ignored" for types it doesn't handle, "malformed" for a handled type it can't read. */
export async function applyResendEvent(payload: unknown): Promise<"recorded" | "ignored" | "malformed"> {
  const type = typeof payload === "object" && payload !== null && "type" in payload ? payload.type : null;
  if (type !== "email.bounced" && type !== "email.complained" && type !== "email.suppressed" && type !== "suppression.added") return "ignored";
  const parsed = eventSchema.safeParse(payload);
  if (!parsed.success) return "malformed";
  const event = parsed.data;
  if (event.type === "suppression.added") {
    await recordDelivery(event.data.email, "suppressed");
    return "recorded";
  }
  // A transient bounce (a full mailbox, a greylist) may still arrive: only a lasting one counts.
  if (event.type === "email.bounced" && event.data.bounce?.type === "Transient") return "ignored";
  const state: DeliveryState = event.type === "email.bounced" ? "bounced" : event.type === "email.complained" ? "complained" : "suppressed";
  await Promise.all(event.data.to.map((address) => recordDelivery(address, state)));
  return "recorded";
}
