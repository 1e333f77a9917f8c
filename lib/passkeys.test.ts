import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { addSoftPasskey, newUser, ORIGIN, signedInBrowser } from "@/test/factories";
import { SoftCredential } from "@/test/soft-authenticator";
import { describeActivity, recentActivity } from "./activity";
import { defaultPasskeyName, deletePasskey, distinctPasskeyName, listPasskeys, MAX_PASSKEYS, renamePasskey, savePasskey } from "./passkeys";
import { getCurrentSession, insertSession, validateSessionToken } from "./session";
import { registrationOptions, verifyRegistration, type VerifiedRegistration } from "./webauthn";

const GOOGLE = "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4";
const UNKNOWN = "00000000-0000-0000-0000-000000000000";
const made = (aaguid: string, transports: string[], attachment?: "platform" | "cross-platform") =>
  ({ credential: { aaguid } as VerifiedRegistration["credential"], transports, attachment }) as VerifiedRegistration;

beforeAll(async () => void (await getDb()));

describe("defaultPasskeyName", () => {
  it("names a passkey by its provider, else by kind, else by the browser and system it was made on", () => {
    expect(defaultPasskeyName(made(GOOGLE, ["hybrid", "internal"], "platform"), null)).toBe("Google Password Manager");
    expect(defaultPasskeyName(made(UNKNOWN, ["nfc", "usb"], "cross-platform"), null)).toBe("Security key");
    expect(defaultPasskeyName(made(UNKNOWN, ["hybrid"], "cross-platform"), null)).toBe("Passkey on a phone");
    const chromeOnLinux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";
    expect(defaultPasskeyName(made(UNKNOWN, ["internal"], "platform"), chromeOnLinux)).toBe("Chrome on Linux");
  });
});

describe("distinctPasskeyName", () => {
  it("keeps a free name, and numbers one the account already has from 2, in any letter case", () => {
    expect(distinctPasskeyName("Chrome on Linux", [])).toBe("Chrome on Linux");
    expect(distinctPasskeyName("Chrome on Linux", ["Security key"])).toBe("Chrome on Linux");
    expect(distinctPasskeyName("Chrome on Linux", ["chrome on linux"])).toBe("Chrome on Linux 2");
    expect(distinctPasskeyName("Security key", ["Security key", "Security key 2", "Security key 4"])).toBe("Security key 3");
  });

  it("two passkeys made alike are saved under names that differ", async () => {
    const user = await newUser();
    const chromeOnLinux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const options = await registrationOptions(user, await listPasskeys(user.id));
      const verified = await verifyRegistration(user.id, new SoftCredential(user.webauthnUserId).register(options, ORIGIN));
      if (!verified.ok) throw new Error(verified.error);
      const saved = await savePasskey(user.id, verified.registration, { sessionId: null, userAgent: chromeOnLinux });
      if (!saved.ok) throw new Error(saved.error);
      names.push(saved.passkey.name);
    }
    expect(names).toEqual(["Chrome on Linux", "Chrome on Linux 2", "Chrome on Linux 3"]);
  });
});

describe("passkey records", () => {
  it(`stops at ${MAX_PASSKEYS} passkeys`, async () => {
    const user = await newUser();
    for (let i = 0; i < MAX_PASSKEYS; i++) await addSoftPasskey(user);
    const options = await registrationOptions(user, await listPasskeys(user.id));
    const verified = await verifyRegistration(user.id, new SoftCredential(user.webauthnUserId).register(options, ORIGIN));
    if (!verified.ok) throw new Error(verified.error);
    expect(await savePasskey(user.id, verified.registration, { sessionId: null, userAgent: null })).toEqual({ ok: false, error: "passkey_limit" });
  });

  it("renames and deletes only the owner's passkeys, recording each change", async () => {
    const owner = await newUser();
    const stranger = await newUser();
    const { passkey } = await addSoftPasskey(owner);
    expect(await renamePasskey(stranger.id, passkey.id, "Mine now")).toBeNull();
    expect(await deletePasskey(stranger.id, passkey.id)).toEqual({ ok: false, error: "passkey_not_found" });
    expect(await renamePasskey(owner.id, passkey.id, "Work laptop")).toEqual({ from: passkey.name, to: "Work laptop" });
    expect(await deletePasskey(owner.id, passkey.id)).toMatchObject({ ok: true, passkey: { name: "Work laptop" } });
    expect(await listPasskeys(owner.id)).toHaveLength(0);
    const types = (await recentActivity(owner.id)).map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(["passkey_removed", "passkey_renamed", "passkey_added"]);
  });

  it("removing a passkey signs out the devices that signed in with it, except the one removing it", async () => {
    const owner = await newUser();
    const { passkey } = await addSoftPasskey(owner);
    const remover = await signedInBrowser(owner, { method: "passkey", passkeyId: passkey.id });
    const other = await insertSession({ userId: owner.id, method: "passkey", passkeyId: passkey.id });
    const byEmail = await insertSession({ userId: owner.id, method: "email" });
    const removerId = (await remover.run(getCurrentSession))!.session.id;
    expect(await deletePasskey(owner.id, passkey.id, removerId)).toMatchObject({ ok: true, signedOut: 1 });
    expect(await remover.run(getCurrentSession)).not.toBeNull();
    expect(await validateSessionToken(other.token)).toBeNull();
    expect(await validateSessionToken(byEmail.token)).not.toBeNull();
    const [event] = await recentActivity(owner.id, 1);
    expect(describeActivity(event!.type, event!.detail)).toBe(`Passkey removed: ${passkey.name} (signed out 1 device that used it)`);
  });

  it("remembers which session added a passkey, after that session is gone", async () => {
    const owner = await newUser();
    const { passkey } = await addSoftPasskey(owner, { sessionId: "session-that-added-it" });
    expect(passkey.createdInSession).toBe("session-that-added-it");
  });
});
