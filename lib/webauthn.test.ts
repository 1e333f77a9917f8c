import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { getDb } from "@/db/client";
import { activity, type User } from "@/db/schema";
import { newUser, ORIGIN } from "@/test/factories";
import { SoftCredential, type CeremonyOverrides } from "@/test/soft-authenticator";
import { listPasskeys, MAX_PASSKEYS, savePasskey } from "./passkeys";
import { authenticationOptions, CEREMONY_TIMEOUT_SECONDS, registrationOptions, verifyAuthentication, verifyRegistration } from "./webauthn";

const GOOGLE_AAGUID = Uint8Array.from(Buffer.from("ea9b8d664d011d213ce4b6b48cb575d4", "hex"));

/** Verifies a registration response for `userId` and, when it verifies, stores the passkey (as sign-up and the account page do). */
async function finishRegistration(userId: string, response: unknown) {
  const verified = await verifyRegistration(userId, response);
  return verified.ok ? savePasskey(userId, verified.registration, { sessionId: null, userAgent: null }) : verified;
}

async function beginRegistration(user: User) {
  return registrationOptions(user, await listPasskeys(user.id));
}

/** Registers `credential` for `user` through the real ceremony; returns the result. */
async function register(user: User, credential: SoftCredential, overrides: CeremonyOverrides = {}) {
  const options = await beginRegistration(user);
  return { options, result: await finishRegistration(user.id, credential.register(options, ORIGIN, overrides)) };
}

const signInOptions = (forUser?: { identifier: string; user: User | null }) => authenticationOptions({ purpose: "sign-in", forUser });
const signIn = (response: unknown) => verifyAuthentication(response, { purpose: "sign-in" });
const activityOf = async (userId: string) => (await getDb()).select().from(activity).where(eq(activity.userId, userId));

async function registered(): Promise<{ user: User; credential: SoftCredential }> {
  const user = await newUser();
  const credential = new SoftCredential(user.webauthnUserId, GOOGLE_AAGUID);
  const { result } = await register(user, credential);
  expect(result.ok).toBe(true);
  return { user, credential };
}

beforeAll(async () => void (await getDb())); // PGlite start-up and migrations, once

describe("registration", () => {
  it("stores a verified passkey with the provider's name, and offers the right options", async () => {
    const user = await newUser();
    const credential = new SoftCredential(user.webauthnUserId, GOOGLE_AAGUID);
    const { options, result } = await register(user, credential);
    expect(options.rp).toEqual({ name: "Passwordless", id: "localhost" });
    expect(options.user.name).toBe(user.username);
    expect(options.authenticatorSelection).toMatchObject({ residentKey: "required", userVerification: "required" });
    expect(options.authenticatorSelection?.authenticatorAttachment).toBeUndefined();
    expect(options.attestation).toBe("none");
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-8, -7, -257]);
    expect(options.timeout).toBe(300_000);
    expect(result).toMatchObject({ ok: true, passkey: { id: credential.idBase64url, userId: user.id, name: "Google Password Manager", deviceType: "singleDevice", backedUp: false } });
    expect((await listPasskeys(user.id)).map((p) => p.transports)).toEqual([["internal", "hybrid"]]);

    const again = await beginRegistration(user);
    expect(again.excludeCredentials?.map((c) => c.id)).toEqual([credential.idBase64url]);
  });

  it("each choice of authenticator sends its hint and attachment; no choice sends neither", async () => {
    const user = await newUser();
    const local = await registrationOptions(user, [], "localDevice");
    expect(local.hints).toEqual(["client-device"]);
    expect(local.authenticatorSelection?.authenticatorAttachment).toBe("platform");
    const any = await registrationOptions(user, []);
    expect(any.hints ?? []).toEqual([]);
    expect(any.authenticatorSelection?.authenticatorAttachment).toBeUndefined();
    const key = await registrationOptions(user, [], "securityKey");
    expect(key.hints).toEqual(["security-key"]);
    expect(key.authenticatorSelection?.authenticatorAttachment).toBe("cross-platform");
    const phone = await registrationOptions(user, [], "remoteDevice");
    expect(phone.hints).toEqual(["hybrid"]);
  });

  it("spends the challenge on failure: a good response after a bad one is too late", async () => {
    const user = await newUser();
    const credential = new SoftCredential(user.webauthnUserId);
    const begun = await beginRegistration(user);
    expect(await finishRegistration(user.id, credential.register(begun, ORIGIN, { origin: "http://evil.example" }))).toEqual({ ok: false, error: "passkey_failed" });
    expect(await finishRegistration(user.id, credential.register(begun, ORIGIN))).toEqual({ ok: false, error: "challenge_expired" });
    expect(await listPasskeys(user.id)).toHaveLength(0);
  });

  const tampered: [string, CeremonyOverrides][] = [
    ["another host", { origin: "https://evil.example" }],
    ["https instead of http", { origin: "https://localhost:3000" }],
    ["a subdomain", { origin: "http://sub.localhost:3000" }],
    ["another port", { origin: "http://localhost:3001" }],
    ["another RP ID hash", { rpID: "evil.example" }],
    ["the type swapped", { type: "webauthn.get" }],
    ["another challenge", { challenge: "AAAAAAAAAAAAAAAAAAAAAA" }],
    ["user presence cleared", { flags: { up: false } }],
    ["user verification cleared", { flags: { uv: false } }],
    ["backed up without backup eligibility", { flags: { bs: true, be: false } }],
    ["an algorithm not offered (ES384)", { alg: -35 }],
    ["a 1024-byte credential id", { credentialId: new Uint8Array(1024).fill(7) }],
  ];
  it.each(tampered)("rejects %s and stores nothing", async (_, overrides) => {
    const user = await newUser();
    const { result } = await register(user, new SoftCredential(user.webauthnUserId), overrides);
    expect(result.ok).toBe(false);
    expect(await listPasskeys(user.id)).toHaveLength(0);
  });

  it("rejects malformed input without throwing", async () => {
    const user = await newUser();
    for (const input of [null, "x", 42, {}, { id: "a", rawId: "b", type: "public-key", response: {} }, { id: "!!", rawId: "!!", type: "public-key", response: { clientDataJSON: "??", attestationObject: "??" } }]) {
      expect(await finishRegistration(user.id, input)).toEqual({ ok: false, error: "passkey_failed" });
    }
    const begun = await beginRegistration(user);
    const response = new SoftCredential(user.webauthnUserId).register(begun, ORIGIN);
    response.response.attestationObject = "AAAA"; // not CBOR
    expect(await finishRegistration(user.id, response)).toEqual({ ok: false, error: "passkey_failed" });
  });

  it("rejects a credential id already registered (to anyone) and a flow begun for another user", async () => {
    const { credential } = await registered();
    const other = await newUser();
    const { result } = await register(other, new SoftCredential(other.webauthnUserId), { credentialId: credential.id });
    expect(result).toEqual({ ok: false, error: "passkey_exists" });

    const a = await newUser();
    const b = await newUser();
    const begun = await beginRegistration(a);
    expect(await finishRegistration(b.id, new SoftCredential(b.webauthnUserId).register(begun, ORIGIN))).toEqual({ ok: false, error: "passkey_failed" });
    expect(await listPasskeys(b.id)).toHaveLength(0);
  });

  it("replays and parallel submissions of one response: exactly one passkey", async () => {
    const user = await newUser();
    const credential = new SoftCredential(user.webauthnUserId);
    const begun = await beginRegistration(user);
    const response = credential.register(begun, ORIGIN);
    const results = await Promise.all([1, 2, 3].map(() => finishRegistration(user.id, response)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await finishRegistration(user.id, response)).toEqual({ ok: false, error: "challenge_expired" });
    expect(await listPasskeys(user.id)).toHaveLength(1);
  });

  it(`stops at ${MAX_PASSKEYS} passkeys`, async () => {
    const user = await newUser();
    for (let i = 0; i < MAX_PASSKEYS; i++) expect((await register(user, new SoftCredential(user.webauthnUserId))).result.ok).toBe(true);
    const options = await beginRegistration(user);
    expect(await finishRegistration(user.id, new SoftCredential(user.webauthnUserId).register(options, ORIGIN))).toEqual({ ok: false, error: "passkey_limit" });
  });
});

describe("authentication", () => {
  it("signs in with a discoverable request and records the use", async () => {
    const { user, credential } = await registered();
    const begun = await signInOptions();
    expect(begun.allowCredentials).toEqual([]);
    expect(begun.userVerification).toBe("required");
    const result = await signIn(credential.authenticate(begun, ORIGIN));
    expect(result).toMatchObject({ ok: true, user: { id: user.id }, passkey: { id: credential.idBase64url, counter: 1 } });
    const [stored] = await listPasskeys(user.id);
    expect(stored?.counter).toBe(1);
    expect(stored?.lastUsedAt).toBeInstanceOf(Date);
  });

  it("takes the challenge once: replay and parallel submission give one success", async () => {
    const { credential } = await registered();
    const begun = await signInOptions();
    const response = credential.authenticate(begun, ORIGIN);
    const results = await Promise.all([1, 2, 3].map(() => signIn(response)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);

    // Replayed later, after new challenges were issued, it still fails: the one it signed is spent.
    await signInOptions();
    expect((await signIn(response)).ok).toBe(false);
  });

  const tampered: [string, CeremonyOverrides][] = [
    ["another origin", { origin: "https://evil.example" }],
    ["another RP ID hash", { rpID: "evil.example" }],
    ["the type swapped", { type: "webauthn.create" }],
    ["user verification cleared", { flags: { uv: false } }],
    ["user presence cleared", { flags: { up: false } }],
    ["one signature bit flipped", { corruptSignature: true }],
  ];
  it.each(tampered)("rejects %s", async (_, overrides) => {
    const { credential } = await registered();
    const begun = await signInOptions();
    expect(await signIn(credential.authenticate(begun, ORIGIN, overrides))).toEqual({ ok: false, error: "signin_failed" });
  });

  it("rejects user A's credential presented with user B's handle, or without a handle in discoverable mode", async () => {
    const a = await registered();
    const b = await registered();
    let begun = await signInOptions();
    expect((await signIn(a.credential.authenticate(begun, ORIGIN, { userHandle: b.user.webauthnUserId }))).ok).toBe(false);
    begun = await signInOptions();
    expect((await signIn(a.credential.authenticate(begun, ORIGIN, { userHandle: null }))).ok).toBe(false);
  });

  it("username-first: offers that person's passkeys and accepts only them", async () => {
    const a = await registered();
    const b = await registered();
    const begun = await signInOptions({ identifier: b.user.username, user: b.user });
    expect(begun.allowCredentials?.map((c) => c.id)).toEqual([b.credential.idBase64url]);
    expect((await signIn(a.credential.authenticate(begun, ORIGIN))).ok).toBe(false);
    const again = await signInOptions({ identifier: b.user.username, user: b.user });
    expect((await signIn(b.credential.authenticate(again, ORIGIN))).ok).toBe(true);
  });

  it("gives an unknown name stable decoy credentials, so the options look like a real account's", async () => {
    const first = await signInOptions({ identifier: "Nobody-Here", user: null });
    const second = await signInOptions({ identifier: "nobody-here", user: null });
    expect(first.allowCredentials?.length).toBeGreaterThanOrEqual(1);
    expect(first.allowCredentials).toEqual(second.allowCredentials);
    const { credential } = await registered();
    expect((await signIn(credential.authenticate(first, ORIGIN))).ok).toBe(false);
  });

  it("username-first with an email: no list for any email, so its options can't be matched to a username's", async () => {
    const { user, credential } = await registered();
    const byName = await signInOptions({ identifier: user.username, user });
    expect(byName.allowCredentials?.map((c) => c.id)).toEqual([credential.idBase64url]);
    const known = await signInOptions({ identifier: user.email.toUpperCase(), user });
    const unknown = await signInOptions({ identifier: "nobody.here@example.test", user: null });
    expect(known.allowCredentials).toEqual([]);
    // Every field but the challenge alike, known or not: the same as a discoverable request's.
    const withoutChallenge = (options: { challenge: string }) => ({ ...options, challenge: options.challenge.length });
    expect(withoutChallenge(unknown)).toStrictEqual(withoutChallenge(known));
    expect(withoutChallenge(known)).toStrictEqual(withoutChallenge(await signInOptions()));
  });

  it("username-first with an email: only the passkey of the account that email names signs in", async () => {
    const a = await registered();
    const b = await registered();
    const stranger = new SoftCredential("AAAA");
    const forB = () => signInOptions({ identifier: b.user.email, user: b.user });
    // Another account's passkey, or one nobody registered, fails like a foreign credential today.
    expect(await signIn(a.credential.authenticate(await forB(), ORIGIN))).toEqual({ ok: false, error: "signin_failed" });
    expect(await signIn(stranger.authenticate(await forB(), ORIGIN))).toEqual({ ok: false, error: "signin_failed" });
    // An unknown email: even a real passkey fails, the same way.
    const nobody = await signInOptions({ identifier: "nobody.here@example.test", user: null });
    expect(await signIn(b.credential.authenticate(nobody, ORIGIN))).toEqual({ ok: false, error: "signin_failed" });
    expect(await signIn(b.credential.authenticate(await forB(), ORIGIN))).toMatchObject({ ok: true, user: { id: b.user.id } });
  });

  it("reports an unknown credential so the browser can be told to forget it", async () => {
    const stranger = new SoftCredential("AAAA");
    const begun = await signInOptions();
    expect(await signIn(stranger.authenticate(begun, ORIGIN))).toEqual({ ok: false, error: "unknown_passkey", unknownCredentialId: stranger.idBase64url });
  });

  it("accepts synced passkeys that always report 0; rejects and records a counter going backwards", async () => {
    const { user, credential } = await registered();
    for (let i = 0; i < 2; i++) {
      const begun = await signInOptions();
      expect((await signIn(credential.authenticate(begun, ORIGIN, { counter: 0 }))).ok).toBe(true);
    }
    let begun = await signInOptions();
    expect((await signIn(credential.authenticate(begun, ORIGIN, { counter: 10 }))).ok).toBe(true);
    begun = await signInOptions();
    expect(await signIn(credential.authenticate(begun, ORIGIN, { counter: 5 }))).toEqual({ ok: false, error: "signin_failed" });
    expect((await activityOf(user.id)).find((e) => e.type === "counter_regression")?.detail).toMatchObject({ stored: "10", received: "5" });
    expect((await listPasskeys(user.id))[0]?.counter).toBe(10);
  });

  it("writes nothing to the owner's activity for responses that don't verify, however many", async () => {
    const { user, credential } = await registered();
    let begun = await signInOptions();
    expect((await signIn(credential.authenticate(begun, ORIGIN, { counter: 10 }))).ok).toBe(true);
    // Forged: the credential id is public (username-first options list it), the signature isn't.
    for (let i = 0; i < 22; i++) {
      begun = await signInOptions();
      const forged = credential.authenticate(begun, ORIGIN, { counter: i % 3, corruptSignature: true, flags: { be: i % 2 === 0 } });
      expect(await signIn(forged)).toEqual({ ok: false, error: "signin_failed" });
    }
    expect((await activityOf(user.id)).map((e) => e.type).filter((t) => t !== "account_created" && t !== "passkey_added")).toEqual([]);
  });

  it.each([
    ["made backup-eligible, answers without BE", { be: true, bs: true }, { be: false }],
    ["made without backup eligibility, answers with BE", {}, { be: true }],
  ])("refuses a passkey %s, and records it once the signature verified", async (_, atRegistration, atSignIn) => {
    const user = await newUser();
    const credential = new SoftCredential(user.webauthnUserId);
    expect((await register(user, credential, { flags: atRegistration })).result.ok).toBe(true);
    const begun = await signInOptions();
    expect(await signIn(credential.authenticate(begun, ORIGIN, { flags: atSignIn }))).toEqual({ ok: false, error: "signin_failed" });
    expect((await activityOf(user.id)).filter((e) => e.type === "backup_eligibility_changed")).toHaveLength(1);
    expect((await listPasskeys(user.id))[0]?.lastUsedAt).toBeNull();
  });

  it("username-first: an unknown or decoy credential fails exactly like a wrong signature (no decoy oracle)", async () => {
    const { user, credential } = await registered();
    const real = await signInOptions({ identifier: user.username, user });
    const wrongSignature = await signIn(credential.authenticate(real, ORIGIN, { corruptSignature: true }));
    const decoy = await signInOptions({ identifier: "nobody-at-all", user: null });
    const decoyId = isoBase64URL.toBuffer(decoy.allowCredentials![0]!.id);
    const stranger = new SoftCredential("AAAA");
    const decoyResponse = await signIn(stranger.authenticate(decoy, ORIGIN, { credentialId: decoyId }));
    expect(decoyResponse).toEqual(wrongSignature);
    expect(decoyResponse).toEqual({ ok: false, error: "signin_failed" });
  });

  it("expires a challenge after 5 minutes, and every ceremony key has that TTL", async () => {
    const { credential } = await registered();
    const begun = await signInOptions();
    const response = credential.authenticate(begun, ORIGIN);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + CEREMONY_TIMEOUT_SECONDS * 1000 + 1000);
      expect(await signIn(response)).toEqual({ ok: false, error: "challenge_expired" });
    } finally {
      vi.useRealTimers();
    }
  });

  it("fails cleanly without a flow or with garbage", async () => {
    expect(await signIn({})).toEqual({ ok: false, error: "signin_failed" });
    expect(await signIn({ id: 1 })).toEqual({ ok: false, error: "signin_failed" });
    // Well formed, but signing a challenge this server never issued.
    const { credential } = await registered();
    const options = await signInOptions();
    expect(await signIn(credential.authenticate(options, ORIGIN, { challenge: "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB" }))).toEqual({ ok: false, error: "challenge_expired" });
  });
});

describe("related origins (RP_ORIGINS, set for these tests in vitest.config.ts)", () => {
  const RELATED = "https://related.example";

  it("accepts ceremonies from a listed origin for the same RP ID; other origins stay rejected", async () => {
    const user = await newUser();
    const credential = new SoftCredential(user.webauthnUserId);
    const begun = await beginRegistration(user);
    expect((await finishRegistration(user.id, credential.register(begun, RELATED))).ok).toBe(true);

    const auth = await signInOptions();
    expect(auth.rpId).toBe("localhost");
    expect(await signIn(credential.authenticate(auth, RELATED))).toMatchObject({ ok: true, user: { id: user.id } });
    const unlisted = await signInOptions();
    expect(await signIn(credential.authenticate(unlisted, "https://unlisted.example"))).toEqual({ ok: false, error: "signin_failed" });
  });
});
