import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { activity, passkeys, sessions, users, type User } from "@/db/schema";
import { newUser } from "@/test/factories";
import { SoftCredential } from "@/test/soft-authenticator";
import { deleteAccount, deleteConfirmationSchema, finishEmailChange, pendingEmailChange, startEmailChange } from "./account";
import { describeActivity, recentActivity } from "./activity";
import { listOutbox } from "./mail";
import { beginRegistration, deletePasskey, finishRegistration, listPasskeys, renamePasskey } from "./passkeys";
import { insertSession, listSessions, revokeOtherSessions, revokeSession, validateSessionToken } from "./session";

async function withPasskey(user: User) {
  const begun = await beginRegistration(user);
  if (!begun.ok) throw new Error(begun.error);
  const result = await finishRegistration(begun.flowId, user.id, new SoftCredential(user.webauthnUserId).register(begun.options, "http://localhost:3000"));
  if (!result.ok) throw new Error(result.error);
  return result.passkey;
}

const inline = (task: () => Promise<void>) => void task();

beforeAll(async () => {
  await getDb();
}, 60_000);

describe("passkey management", () => {
  it("renames and deletes only the owner's passkeys, recording each change", async () => {
    const owner = await newUser();
    const stranger = await newUser();
    const passkey = await withPasskey(owner);
    expect(await renamePasskey(stranger.id, passkey.id, "Mine now")).toBeNull();
    expect(await deletePasskey(stranger.id, passkey.id)).toBeNull();
    expect(await renamePasskey(owner.id, passkey.id, "Work laptop")).toEqual({ from: "Passkey", to: "Work laptop" });
    expect((await deletePasskey(owner.id, passkey.id))?.passkey.name).toBe("Work laptop");
    expect(await listPasskeys(owner.id)).toHaveLength(0);
    const types = (await recentActivity(owner.id)).map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(["passkey_removed", "passkey_renamed", "passkey_added"]);
  });

  it("removing a passkey signs out the devices that signed in with it, except the one removing it", async () => {
    const owner = await newUser();
    const passkey = await withPasskey(owner);
    const [remover, other, byEmail] = [
      await insertSession({ userId: owner.id, method: "passkey", passkeyId: passkey.id }),
      await insertSession({ userId: owner.id, method: "passkey", passkeyId: passkey.id }),
      await insertSession({ userId: owner.id, method: "email" }),
    ];
    const removerId = (await validateSessionToken(remover))!.session.id;
    expect((await deletePasskey(owner.id, passkey.id, removerId))?.signedOut).toBe(1);
    expect(await validateSessionToken(remover)).not.toBeNull();
    expect(await validateSessionToken(other)).toBeNull();
    expect(await validateSessionToken(byEmail)).not.toBeNull();
    expect(describeActivity("passkey_removed", (await recentActivity(owner.id, 1))[0]!.detail)).toBe("Passkey removed: Passkey (signed out 1 device that used it)");
  });
});

describe("sessions", () => {
  it("signs out one device, or all but this one, and only the user's own", async () => {
    const user = await newUser();
    const other = await newUser();
    const [here, there, third] = await Promise.all([1, 2, 3].map(() => insertSession({ userId: user.id, method: "passkey" })));
    const foreign = await insertSession({ userId: other.id, method: "email" });
    const hereId = (await validateSessionToken(here!))!.session.id;
    const thereId = (await validateSessionToken(there!))!.session.id;
    const foreignId = (await validateSessionToken(foreign))!.session.id;

    expect(await revokeSession(user.id, foreignId)).toBeNull();
    expect((await revokeSession(user.id, thereId))?.id).toBe(thereId);
    expect(await validateSessionToken(there!)).toBeNull();
    expect(await revokeOtherSessions(user.id, hereId)).toBe(1);
    expect(await validateSessionToken(third!)).toBeNull();
    expect((await listSessions(user.id)).map((s) => s.id)).toEqual([hereId]);
    expect(await validateSessionToken(foreign)).not.toBeNull();
  });
});

describe("email change", () => {
  it("changes nothing until the new address is proven, then switches", async () => {
    const user = await newUser();
    const newEmail = `new.${user.email}`;
    const started = await startEmailChange(user, newEmail.toUpperCase(), inline);
    if (!started.ok) throw new Error(started.error);
    expect(await pendingEmailChange(user.id, started.id)).toBe(newEmail);
    const stranger = await newUser();
    expect(await pendingEmailChange(stranger.id, started.id)).toBeNull();

    const mail = listOutbox().find((m) => m.to === newEmail)!;
    const code = mail.text.match(/\b(\d{6})\b/)![1]!;
    const db = await getDb();
    expect((await db.select().from(users).where(eq(users.id, user.id)))[0]?.email).toBe(user.email);

    expect(await finishEmailChange(stranger, started.id, "code", code)).toEqual({ ok: false, error: "email_change_expired" });
  });

  it("switches on the right code and records it", async () => {
    const user = await newUser();
    const newEmail = `switch.${user.email}`;
    const started = await startEmailChange(user, newEmail, inline);
    if (!started.ok) throw new Error(started.error);
    const code = listOutbox().find((m) => m.to === newEmail)!.text.match(/\b(\d{6})\b/)![1]!;
    expect(await finishEmailChange(user, started.id, "code", code)).toEqual({ ok: true, from: user.email, to: newEmail });
    const db = await getDb();
    expect((await db.select().from(users).where(eq(users.id, user.id)))[0]?.email).toBe(newEmail);
    const [event] = await recentActivity(user.id, 1);
    expect(describeActivity(event!.type, event!.detail)).toBe(`Email changed from ${user.email} to ${newEmail}`);
  });

  it("refuses the current address; answers one another account uses like a free one, and tells its owner", async () => {
    const user = await newUser();
    const other = await newUser();
    expect(await startEmailChange(user, ` ${user.email.toUpperCase()} `, inline)).toEqual({ ok: false, error: "email_unchanged" });
    const started = await startEmailChange(user, other.email, inline);
    expect(started).toMatchObject({ ok: true });
    expect(listOutbox()[0]).toMatchObject({ to: other.email, subject: "Your address was offered for another Passwordless account" });
    if (!started.ok) throw new Error();
    expect(await finishEmailChange(user, started.id, "code", "123456")).toMatchObject({ ok: false, error: "wrong_code" });
  });

  it("is void once the account's address changed some other way", async () => {
    const user = await newUser();
    const started = await startEmailChange(user, `later.${user.email}`, inline);
    if (!started.ok) throw new Error(started.error);
    const code = listOutbox()[0]!.text.match(/\b(\d{6})\b/)![1]!;
    const moved = { ...user, email: `meanwhile.${user.email}` };
    expect(await finishEmailChange(moved, started.id, "code", code)).toEqual({ ok: false, error: "email_change_expired" });
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

  it("removes the user with passkeys, sessions and activity", async () => {
    const user = await newUser();
    await withPasskey(user);
    const token = await insertSession({ userId: user.id, method: "passkey" });
    expect((await deleteAccount(user.id))?.id).toBe(user.id);
    const db = await getDb();
    expect(await db.select().from(passkeys).where(eq(passkeys.userId, user.id))).toHaveLength(0);
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    expect(await db.select().from(activity).where(eq(activity.userId, user.id))).toHaveLength(0);
    expect(await validateSessionToken(token)).toBeNull();
  });
});
