import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { passkeys } from "@/db/schema";
import { newUser } from "@/test/factories";
import { decoyCredentials } from "./decoys";

const shapeOf = (list: { id: string; transports: string[] }[]) => list.map((c) => `${Buffer.from(c.id, "base64url").length}:${c.transports.join("+")}`).join(",");
const forgetShapes = () => void delete (globalThis as { __passwordlessDecoyShapes?: unknown }).__passwordlessDecoyShapes;

async function accountWith(list: [number, string[]][]): Promise<void> {
  const user = await newUser("shape");
  const db = await getDb();
  for (const [i, [bytes, transports]] of list.entries()) {
    await db.insert(passkeys).values({
      id: randomBytes(bytes).toString("base64url"),
      userId: user.id,
      publicKey: "AA",
      transports,
      deviceType: "multiDevice",
      backedUp: true,
      aaguid: "00000000-0000-0000-0000-000000000000",
      name: "Passkey",
      createdAt: new Date(Date.now() + i),
    });
  }
}

beforeAll(async () => void (await getDb()));

describe("decoyCredentials", () => {
  it("before any account exists, looks like a Chromium passkey list", async () => {
    forgetShapes();
    expect(shapeOf(await decoyCredentials("nobody"))).toBe("16:hybrid+internal");
  });

  it("copies real accounts' list shapes in their proportions, stable per name and letter case", async () => {
    for (let i = 0; i < 3; i++) await accountWith([[16, ["hybrid", "internal"]]]);
    await accountWith([[20, ["hybrid", "internal"]], [64, ["nfc", "usb"]]]);
    forgetShapes();
    const real = new Set(["16:hybrid+internal", "20:hybrid+internal,64:nfc+usb"]);
    const seen = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const list = await decoyCredentials(`Name-${i}`);
      expect(await decoyCredentials(`name-${i}`)).toEqual(list);
      for (const c of list) expect(c.id).toMatch(/^[A-Za-z0-9_-]+$/);
      seen.set(shapeOf(list), (seen.get(shapeOf(list)) ?? 0) + 1);
    }
    expect(new Set(seen.keys())).toEqual(real);
    // 3 of 4 accounts have the first shape.
    expect(seen.get("16:hybrid+internal")).toBeGreaterThan(250);
    expect(seen.get("16:hybrid+internal")).toBeLessThan(350);
    // Different names get different ids.
    expect((await decoyCredentials("a"))[0]!.id).not.toBe((await decoyCredentials("b"))[0]!.id);
  });
});
