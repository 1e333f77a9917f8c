import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/resend/route";
import { applyResendEvent, recordDelivery, undeliverableSince, verifyResendSignature } from "./delivery";
import { getConfig } from "./env";

// Svix's documented example (docs.svix.com, "Verifying webhooks"): secret, headers and payload.
const SVIX_EXAMPLE = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  headers: { id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" },
  body: '{"test": 2432232314}',
  now: 1614265330 * 1000,
};

describe("verifyResendSignature", () => {
  it("accepts Svix's documented example, also among other signatures (a rotating secret)", () => {
    const { secret, headers, body, now } = SVIX_EXAMPLE;
    expect(verifyResendSignature(secret, headers, body, now)).toBe(true);
    expect(verifyResendSignature(secret, { ...headers, signature: `v1,AAAA ${headers.signature}` }, body, now)).toBe(true);
  });

  it("refuses a changed body, id, secret or version, a missing header, and a timestamp over five minutes off", () => {
    const { secret, headers, body, now } = SVIX_EXAMPLE;
    expect(verifyResendSignature(secret, headers, '{"test": 2432232315}', now)).toBe(false);
    expect(verifyResendSignature(secret, { ...headers, id: "msg_other" }, body, now)).toBe(false);
    expect(verifyResendSignature("whsec_" + Buffer.from("another secret!!").toString("base64"), headers, body, now)).toBe(false);
    expect(verifyResendSignature(secret, { ...headers, signature: headers.signature.replace("v1", "v2") }, body, now)).toBe(false);
    expect(verifyResendSignature(secret, { ...headers, signature: null }, body, now)).toBe(false);
    expect(verifyResendSignature(secret, headers, body, now + 5 * 60_000 + 1000)).toBe(false);
    expect(verifyResendSignature(secret, headers, body, now - 5 * 60_000 - 1000)).toBe(false);
  });
});

describe("delivery state", () => {
  it("records bounces and suppressions as undeliverable from their time on; complaints and transient bounces are not", async () => {
    const address = `bounce-${Date.now()}@example.test`;
    const before = Date.now();
    expect(await undeliverableSince(address, before)).toBe(false);
    expect(await applyResendEvent({ type: "email.bounced", data: { to: [address], bounce: { type: "Transient" } } })).toBe("ignored");
    expect(await applyResendEvent({ type: "email.complained", data: { to: [address] } })).toBe("recorded");
    expect(await undeliverableSince(address, before)).toBe(false);
    expect(await applyResendEvent({ type: "email.bounced", data: { to: [address.toUpperCase()], bounce: { type: "Permanent" } } })).toBe("recorded");
    expect(await undeliverableSince(address, before)).toBe(true);
    expect(await undeliverableSince(address, Date.now() + 1)).toBe(false);
    await recordDelivery(address, "complained");
    expect(await applyResendEvent({ type: "suppression.added", data: { email: address } })).toBe("recorded");
    expect(await undeliverableSince(address, before)).toBe(true);
    expect(await applyResendEvent({ type: "email.delivered", data: {} })).toBe("ignored");
    expect(await applyResendEvent({ type: "email.bounced", data: {} })).toBe("malformed");
  });
});

describe("POST /api/webhooks/resend", () => {
  const secret = "whsec_" + Buffer.from("a test webhook secret, 32 bytes!").toString("base64");
  const signed = (body: string, key = secret, timestamp = Math.floor(Date.now() / 1000)) => {
    const id = `msg_${Date.now()}`;
    const signature = createHmac("sha256", Buffer.from(key.slice("whsec_".length), "base64")).update(`${id}.${timestamp}.${body}`).digest("base64");
    return new Request("http://localhost:3000/api/webhooks/resend", { method: "POST", body, headers: { "content-type": "application/json", "svix-id": id, "svix-timestamp": String(timestamp), "svix-signature": `v1,${signature}` } });
  };

  it("is a 404 without RESEND_WEBHOOK_SECRET; with it, 401 for a bad signature, and a signed bounce marks the address", async () => {
    const address = `hook-${Date.now()}@example.test`;
    const body = JSON.stringify({ type: "email.bounced", created_at: new Date().toISOString(), data: { to: [address], bounce: { type: "Permanent", subType: "General", message: "no such user" } } });
    expect(getConfig().resendWebhookSecret).toBeNull();
    expect((await POST(signed(body))).status).toBe(404);

    getConfig().resendWebhookSecret = secret;
    try {
      expect((await POST(signed(body, "whsec_" + Buffer.from("not the secret, not the secret!!").toString("base64")))).status).toBe(401);
      expect((await POST(signed(body, secret, Math.floor(Date.now() / 1000) - 3600))).status).toBe(401);
      expect(await undeliverableSince(address, 0)).toBe(false);
      expect((await POST(signed(body))).status).toBe(200);
      expect(await undeliverableSince(address, 0)).toBe(true);
      expect((await POST(signed("not json"))).status).toBe(400);
    } finally {
      getConfig().resendWebhookSecret = null;
    }
  });
});
