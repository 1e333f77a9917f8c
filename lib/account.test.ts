import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db/client";
import { activity, passkeys, sessions, users } from "@/db/schema";
import { addSoftPasskey, newUser, signedInBrowser } from "@/test/factories";
import { deleteAccount, deleteConfirmationSchema, deletedAccountSignal, updateName } from "./account";
import { listOutbox } from "./mail";
import { getCurrentSession, insertSession, validateSessionToken } from "./session";
import { rememberedUser } from "./sign-in";

beforeAll(async () => void (await getDb()));

describe("name", () => {
  it("saves the name and hands back what the passkey manager should show", async () => {
    const user = await newUser();
    const browser = await signedInBrowser(user);
    const result = await browser.run(() => updateName("Ada Lovelace"));
    expect(result).toMatchObject({ ok: true, signals: { userID: user.webauthnUserId, userDetails: { userName: user.username, userDisplayName: "Ada Lovelace" } } });
    const db = await getDb();
    expect((await db.select().from(users).where(eq(users.id, user.id)))[0]?.name).toBe("Ada Lovelace");
  });
});

describe("account deletion", () => {
  it("needs the exact typed confirmation", () => {
    const schema = deleteConfirmationSchema("ada");
    expect(schema.safeParse("delete ada").success).toBe(true);
    expect(schema.safeParse("  DELETE Ada ").success).toBe(true);
    expect(schema.safeParse("delete bob").success).toBe(false);
    expect(schema.safeParse("ada").success).toBe(false);
  });

  it("needs a fresh sign-in, then removes the user with passkeys, sessions and activity; this browser forgets it", async () => {
    const user = await newUser();
    const { passkey } = await addSoftPasskey(user);
    const elsewhere = await insertSession({ userId: user.id, method: "passkey" });
    // Signed in with the passkey: an email sign-in would be on hold (hold.test.ts).
    const browser = await signedInBrowser(user, { method: "passkey", passkeyId: passkey.id });

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 11 * 60 * 1000);
    expect(await browser.run(() => deleteAccount(`delete ${user.username}`))).toEqual({ ok: false, error: "reauth_required" });
    vi.useRealTimers();

    expect(await browser.run(() => deleteAccount("delete someone"))).toMatchObject({ ok: false, error: "invalid_input", message: `Type "delete ${user.username}" to confirm.` });
    expect(await browser.run(() => deleteAccount(`delete ${user.username}`))).toEqual({ ok: true });
    const db = await getDb();
    for (const table of [passkeys, sessions, activity]) expect(await db.select().from(table).where(eq(table.userId, user.id))).toHaveLength(0);
    expect(await validateSessionToken(elsewhere.token)).toBeNull();
    expect(await browser.run(getCurrentSession)).toBeNull();
    expect(await browser.run(rememberedUser)).toBeNull();
    expect(await browser.run(deletedAccountSignal)).toMatchObject({ userID: user.webauthnUserId, allAcceptedCredentialIDs: [] });
    expect(listOutbox().find((m) => m.to === user.email)?.subject).toBe("Your account was deleted");
  });

  it("a remembered user whose account is gone is not greeted on another device", async () => {
    const user = await newUser();
    const other = await signedInBrowser(user);
    const browser = await signedInBrowser(user);
    expect((await other.run(rememberedUser))?.id).toBe(user.id);
    await browser.run(() => deleteAccount(`delete ${user.username}`));
    expect(await other.run(rememberedUser)).toBeNull();
  });
});
