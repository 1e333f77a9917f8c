import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { newUser, signedInBrowser } from "@/test/factories";
import { recentActivity } from "./activity";
import { signOutDevice, signOutOtherDevices } from "./devices";
import { getCurrentSession, insertSession, listSessions, validateSessionToken } from "./session";

beforeAll(async () => void (await getDb()));

describe("devices", () => {
  it("signs out one device, or all but this one, and only the user's own", async () => {
    const user = await newUser();
    const other = await newUser();
    const here = await signedInBrowser(user);
    const [there, third] = await Promise.all([1, 2].map(() => insertSession({ userId: user.id, method: "passkey" })));
    const foreign = await insertSession({ userId: other.id, method: "email" });

    expect(await here.run(() => signOutDevice(foreign.id))).toEqual({ ok: false, error: "device_not_found" });
    expect(await here.run(() => signOutDevice(there!.id))).toMatchObject({ ok: true, thisDevice: false });
    expect(await validateSessionToken(there!.token)).toBeNull();
    expect(await here.run(signOutOtherDevices)).toEqual({ ok: true, count: 1 });
    expect(await validateSessionToken(third!.token)).toBeNull();
    const hereId = (await here.run(getCurrentSession))!.session.id;
    expect((await listSessions(user.id)).map((s) => s.id)).toEqual([hereId]);
    expect(await validateSessionToken(foreign.token)).not.toBeNull();
    expect((await recentActivity(user.id, 2)).map((e) => e.type)).toEqual(["other_sessions_revoked", "session_revoked"]);
  });

  it("signing out this device from the list ends this session; signed out, nothing happens", async () => {
    const user = await newUser();
    const here = await signedInBrowser(user);
    const id = (await here.run(getCurrentSession))!.session.id;
    expect(await here.run(() => signOutDevice(id))).toEqual({ ok: true, thisDevice: true });
    expect(await here.run(getCurrentSession)).toBeNull();
    expect(await here.run(signOutOtherDevices)).toEqual({ ok: false, error: "not_signed_in" });
  });
});
