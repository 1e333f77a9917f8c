import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import { addSoftPasskey, newUser, signedInBrowser } from "@/test/factories";
import type { TestBrowser } from "@/test/browser";
import { describeActivity, recentActivity } from "./activity";
import { cancelEmailRevert, describeRevert, emailChangeLinkState, finishEmailChange, pendingEmailChange, pendingEmailRevert, resendEmailChange, revertEmailChange, spentRevertState, startEmailChange } from "./email-change";
import { listOutbox } from "./mail";
import { listPasskeys } from "./passkeys";
import { getCurrentSession, insertSession, validateSessionToken } from "./session";

const newest = (to: string) => listOutbox().find((m) => m.to === to)!;
const codeIn = (to: string) => newest(to).text.match(/\b(\d{6})\b/)![1]!;
const linkIn = (to: string) => new URL(newest(to).text.match(/https?:\/\/\S+/)![0]);

async function emailOf(userId: string) {
  const db = await getDb();
  return (await db.select().from(users).where(eq(users.id, userId)))[0]?.email;
}

async function started(browser: TestBrowser, newEmail: string) {
  const result = await browser.run(() => startEmailChange(newEmail));
  if (!result.ok) throw new Error(result.error);
}

beforeAll(async () => void (await getDb()));

describe("email change", () => {
  it("changes nothing until the new address is proven in this browser, then switches and tells the old one", async () => {
    const user = await newUser();
    const browser = await signedInBrowser(user);
    const newEmail = `new.${user.email}`;
    await started(browser, newEmail.toUpperCase());
    expect(await browser.run(() => pendingEmailChange(user.id))).toMatchObject({ email: newEmail });
    expect(await emailOf(user.id)).toBe(user.email);
    expect(newest(newEmail).subject).toBe(`${codeIn(newEmail)} is your Passwordless code`);
    expect(newest(newEmail).text.trimEnd().split("\n").at(-1)).toBe(`@localhost #${codeIn(newEmail)}`);

    // Another browser of the same account can't use it.
    const other = await signedInBrowser(user);
    expect(await other.run(() => finishEmailChange("code", codeIn(newEmail)))).toEqual({ ok: false, error: "email_change_expired" });
    expect(await other.run(() => emailChangeLinkState(user.id))).toEqual({ state: "elsewhere", email: undefined });

    expect(await browser.run(() => emailChangeLinkState(user.id))).toEqual({ state: "ready", email: newEmail });
    expect(await browser.run(() => finishEmailChange("code", codeIn(newEmail)))).toEqual({ ok: true, to: newEmail });
    expect(await emailOf(user.id)).toBe(newEmail);
    expect(await browser.run(() => emailChangeLinkState(user.id))).toMatchObject({ state: "used" });
    const [event] = await recentActivity(user.id, 1);
    expect(describeActivity(event!.type, event!.detail)).toBe(`Email changed from ${user.email} to ${newEmail}`);
    const notice = newest(user.email);
    expect(notice.subject).toBe("Your email address was changed");
    expect(notice.text).toContain("This wasn't me: http://localhost:3000/recover?id=");
  });

  it("'Send a new code' adds a code: two resends later the first code still changes the address", async () => {
    const user = await newUser();
    const browser = await signedInBrowser(user);
    const newEmail = `again.${user.email}`;
    await started(browser, newEmail);
    const first = codeIn(newEmail);
    for (let i = 0; i < 2; i++) expect(await browser.run(resendEmailChange)).toEqual({ ok: true });
    expect(await browser.run(() => finishEmailChange("code", first))).toEqual({ ok: true, to: newEmail });
    expect(await emailOf(user.id)).toBe(newEmail);
  });

  it("refuses the current address; answers one another account uses like a free one, and tells its owner", async () => {
    const user = await newUser();
    const other = await newUser();
    const browser = await signedInBrowser(user);
    expect(await browser.run(() => startEmailChange(` ${user.email.toUpperCase()} `))).toEqual({ ok: false, error: "email_unchanged" });
    expect(await browser.run(() => startEmailChange(other.email))).toEqual({ ok: true });
    expect(newest(other.email).subject).toBe("Your address was offered for another Passwordless account");
    expect(await browser.run(() => finishEmailChange("code", "123456"))).toMatchObject({ ok: false, error: "wrong_code" });
  });

  it("is void once the account's address changed some other way", async () => {
    const user = await newUser();
    const browser = await signedInBrowser(user);
    await started(browser, `later.${user.email}`);
    const code = codeIn(`later.${user.email}`);
    const db = await getDb();
    await db.update(users).set({ email: `meanwhile.${user.email}` }).where(eq(users.id, user.id));
    expect(await browser.run(() => finishEmailChange("code", code))).toEqual({ ok: false, error: "email_change_expired" });
  });
});

describe("This wasn't me", () => {
  it("from the old address, in any browser: the address comes back, every device a passkey the account had doesn't vouch for is signed out, the changer's passkeys (and theirs) go", async () => {
    const user = await newUser();
    // Signed in by email before the account had a passkey, so not on hold (see hold.test.ts).
    const attacker = await signedInBrowser(user);
    const { passkey: ownersPasskey } = await addSoftPasskey(user);
    const attackerSessionId = (await attacker.run(getCurrentSession))!.session.id;
    const { passkey: attackersPasskey } = await addSoftPasskey(user, { sessionId: attackerSessionId });
    // And one added by a session (since signed out) that had signed in with the attacker's passkey.
    await addSoftPasskey(user, { sessionId: "signed-out-session", withPasskeyId: attackersPasskey.id });
    const owner = await insertSession({ userId: user.id, method: "passkey", passkeyId: ownersPasskey.id });
    const ownersEmailSession = await insertSession({ userId: user.id, method: "email" });
    const stolen = `stolen.${user.email}`;
    await started(attacker, stolen);
    expect((await attacker.run(() => finishEmailChange("code", codeIn(stolen)))).ok).toBe(true);

    const link = linkIn(user.email);
    const id = link.searchParams.get("id")!;
    const token = link.searchParams.get("token")!;
    expect(link.pathname).toBe("/recover");
    // Opening the page (a scanner, say) spends nothing.
    expect(await describeRevert(id, token)).toEqual({ from: user.email, to: stolen });
    expect(await describeRevert(id, "A".repeat(43))).toEqual({ from: user.email, to: stolen });
    expect(await revertEmailChange(id, "A".repeat(43))).toMatchObject({ ok: false, error: "link_invalid" });

    expect(await revertEmailChange(id, token)).toEqual({ ok: true, email: user.email });
    expect(await emailOf(user.id)).toBe(user.email);
    expect(await attacker.run(getCurrentSession)).toBeNull();
    expect(await validateSessionToken(ownersEmailSession.token)).toBeNull();
    // The owner's passkey predates the change: its device stays signed in.
    expect(await validateSessionToken(owner.token)).not.toBeNull();
    expect((await listPasskeys(user.id)).map((p) => p.id)).toEqual([ownersPasskey.id]);
    expect((await recentActivity(user.id, 1))[0]?.type).toBe("email_change_reverted");
    expect(newest(user.email).subject).toBe("Your email address is back");
    // Once.
    expect(await revertEmailChange(id, token)).toMatchObject({ ok: false });
    expect(await describeRevert(id, token)).toBeNull();
    expect(await spentRevertState(id, token)).toBe("used");
    expect(await spentRevertState("B".repeat(43), token)).toBe("expired");
    expect(await spentRevertState(id, undefined)).toBe("incomplete");
  });

  it("a change a passkey vouched for can be kept: 'I made this change' ends the old address's undo, only from a passkey-vouched device", async () => {
    const user = await newUser();
    const { passkey } = await addSoftPasskey(user);
    const owner = await signedInBrowser(user, { method: "passkey", passkeyId: passkey.id });
    const moved = `moved.${user.email}`;
    await started(owner, moved);
    expect((await owner.run(() => finishEmailChange("code", codeIn(moved)))).ok).toBe(true);
    const link = linkIn(user.email);
    expect(await pendingEmailRevert(user.id)).toMatchObject({ from: user.email, to: moved, cancellable: true });

    // An email-only session of the account (the old address's holder could make one) can't keep it.
    const emailOnly = await signedInBrowser(user);
    expect(await emailOnly.run(cancelEmailRevert)).toMatchObject({ ok: false });
    expect(await pendingEmailRevert(user.id)).not.toBeNull();

    expect(await owner.run(cancelEmailRevert)).toEqual({ ok: true, from: user.email });
    expect(newest(moved).subject).toBe("Your old address can no longer undo the change");
    expect(await pendingEmailRevert(user.id)).toBeNull();
    expect(await describeRevert(link.searchParams.get("id")!, link.searchParams.get("token")!)).toBeNull();
    expect(await revertEmailChange(link.searchParams.get("id")!, link.searchParams.get("token")!)).toMatchObject({ ok: false });
    expect(await emailOf(user.id)).toBe(moved);
    expect(await spentRevertState(link.searchParams.get("id")!, link.searchParams.get("token")!)).toBe("kept");
    expect(await owner.run(getCurrentSession)).not.toBeNull();
  });

  it("a change made by email only can't be kept early: the old address keeps its undo", async () => {
    const user = await newUser();
    // Signed in by email before the account had a passkey: not held, but nothing vouches for it.
    const emailOnly = await signedInBrowser(user, { method: "email" });
    const { passkey } = await addSoftPasskey(user);
    const to = `elsewhere.${user.email}`;
    await started(emailOnly, to);
    expect((await emailOnly.run(() => finishEmailChange("code", codeIn(to)))).ok).toBe(true);
    expect(await pendingEmailRevert(user.id)).toMatchObject({ cancellable: false });
    const owner = await signedInBrowser(user, { method: "passkey", passkeyId: passkey.id });
    expect(await owner.run(cancelEmailRevert)).toEqual({ ok: false, error: "link_invalid" });
    expect(await pendingEmailRevert(user.id)).not.toBeNull();
  });
});
