import "server-only";
import { hkdfSync } from "node:crypto";
import { sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { passkeys } from "@/db/schema";
import { getConfig } from "./env";
import { hmac } from "./secrets";

/**
 * Stand-in allowCredentials for a name with no passkeys (or no account), so username-first
 * options look the same whether or not the account exists. A list is only as convincing as its
 * shape: how many credentials, each id's length, the transports exactly as browsers report them
 * (sorted). So decoys copy the shapes real accounts have, in the proportions they have them, and
 * the name picks one deterministically: asking twice gives the same list.
 */
export type DecoyCredential = { id: string; transports: string[] };

/** One account's list, in creation order: [id length in bytes, transports] per passkey. */
type Shape = [number, string[]][];

/** What Chromium's passkey managers produce (16-byte ids, "hybrid" and "internal"), until real accounts exist. */
const DEFAULT_SHAPES: { shape: Shape; accounts: number }[] = [{ shape: [[16, ["hybrid", "internal"]]], accounts: 1 }];
const REFRESH_MS = 10 * 60 * 1000;
const MAX_SHAPES = 50;

const cache = globalThis as unknown as { __passwordlessDecoyShapes?: { loadedAt: number; shapes: Promise<{ shape: Shape; accounts: number }[]> } };

/** The shapes of real accounts' passkey lists, most common first, with how many accounts have each. */
function realShapes(): Promise<{ shape: Shape; accounts: number }[]> {
  const cached = cache.__passwordlessDecoyShapes;
  if (cached && Date.now() - cached.loadedAt < REFRESH_MS) return cached.shapes;
  const shapes = loadShapes().catch(() => DEFAULT_SHAPES);
  cache.__passwordlessDecoyShapes = { loadedAt: Date.now(), shapes };
  return shapes;
}

async function loadShapes(): Promise<{ shape: Shape; accounts: number }[]> {
  const db = await getDb();
  // An id is unpadded base64url: 4 characters per 3 bytes.
  const perAccount = db
    .select({
      shape: sql<string>`json_agg(json_build_array(length(${passkeys.id}) * 3 / 4, ${passkeys.transports}) order by ${passkeys.createdAt}, ${passkeys.id})::text`.as("shape"),
    })
    .from(passkeys)
    .groupBy(passkeys.userId)
    .as("per_account");
  const rows = await db
    .select({ shape: perAccount.shape, accounts: sql<number>`count(*)::int` })
    .from(perAccount)
    .groupBy(perAccount.shape)
    .orderBy(sql`count(*) desc`, perAccount.shape)
    .limit(MAX_SHAPES);
  return rows.length ? rows.map((r) => ({ shape: JSON.parse(r.shape) as Shape, accounts: r.accounts })) : DEFAULT_SHAPES;
}

export async function decoyCredentials(identifier: string): Promise<DecoyCredential[]> {
  const secret = getConfig().sessionSecret;
  const name = identifier.trim().toLowerCase();
  const digest = hmac(secret, `decoy-credential:${name}`);
  const shapes = await realShapes();
  const total = shapes.reduce((n, s) => n + s.accounts, 0);
  // Where this name falls in the distribution: the shape that covers that share of accounts.
  let point = digest.readUInt32BE(0) % total;
  const { shape } = shapes.find((s) => (point -= s.accounts) < 0) ?? shapes[0]!;
  return shape.map(([bytes, transports], i) => ({
    id: Buffer.from(hkdfSync("sha256", secret, name, `decoy-credential-${i}`, bytes)).toString("base64url"),
    transports,
  }));
}
