/**
 * The floors: the same ceremonies calling the app's lib functions directly (PGlite in memory and
 * the in-process store, no HTTP, no Next.js), and the cost of the crypto underneath. Run by
 * scripts/bench/run.ts as a child process under `--conditions=react-server`, which resolves
 * "server-only" to its empty module as Next's server build does, with a message channel. Runs its
 * levels at concurrency 1 and 32, writes them to argv[2] as JSON, then stays to run concurrency 8
 * on request, in slices between the server's own, so both see the same load on a shared machine.
 */
import { createHmac, generateKeyPairSync, sign, verify, webcrypto } from "node:crypto";
import { writeFileSync } from "node:fs";
import { sealData } from "iron-session";
import { getDb } from "@/db/client";
import type { User } from "@/db/schema";
import { issueSignInEmail } from "@/lib/email-sign-in";
import { savePasskey } from "@/lib/passkeys";
import { ABSOLUTE_TIMEOUT_MS, insertSession } from "@/lib/session";
import { summarizeUserAgent } from "@/lib/user-agent";
import { authenticationOptions, registrationOptions, verifyAuthentication, verifyRegistration } from "@/lib/webauthn";
import { hashSecret } from "@/lib/secrets";
import { createVerifiedUser, findUserById } from "@/lib/users";
import { SoftCredential } from "@/test/soft-authenticator";
import { CONCURRENCY, getPlan, Level, ownCpuMicros, perWorker, percentiles, timed, type LevelResult, type Limits, type Percentiles, type StepTimes } from "./measure";
import { peakRssBytes, rssBytes } from "../processes";

export type CryptoFloor = {
  /** node:crypto verify() of a P-256 (ES256) signature with a parsed key, one thread. */
  p256VerifyPerSecond: number;
  /** What @simplewebauthn/server does per assertion: import the JWK key, then WebCrypto verify. */
  p256ImportAndVerifyPerSecond: number;
  /** One argon2id hash with the app's parameters (lib/secrets.ts), in ms. */
  argon2idHashMs: Percentiles;
};

export type InProcessResult = {
  crypto: CryptoFloor;
  /** PGlite start-up and migrations, in seconds (the server pays this once, at its first request). */
  databaseStartSeconds: number;
  /** Peak RSS of this process: the memory floor of the embedded backends and the lib code. */
  peakRssBytes: number | null;
  /** RSS just before PGlite in memory opens (lib code loaded, crypto floor run) and just after it is migrated. */
  rssBeforeDatabaseBytes: number | null;
  rssAfterDatabaseBytes: number | null;
  signIn: LevelResult[];
  registration: LevelResult[];
  email: LevelResult[];
};

const DURATION_MS = 1000;

/** Calls `op` back to back for about a second; returns calls per second. */
async function rate(op: () => unknown): Promise<number> {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < DURATION_MS) {
    for (let i = 0; i < 50; i++) await op();
    n += 50;
  }
  return n / ((performance.now() - start) / 1000);
}

async function cryptoFloor(): Promise<CryptoFloor> {
  // The signed data of an assertion: 37 bytes of authenticator data and a SHA-256 of the client data.
  const data = new Uint8Array(69).fill(7);
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const der = sign("sha256", data, privateKey);
  const p1363 = sign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" });
  const jwk = publicKey.export({ format: "jwk" });
  const p256VerifyPerSecond = await rate(() => {
    if (!verify("sha256", data, publicKey, der)) throw new Error("P-256 verify failed");
  });
  const p256ImportAndVerifyPerSecond = await rate(async () => {
    const key = await webcrypto.subtle.importKey("jwk", { ...jwk, ext: false }, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    if (!(await webcrypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, p1363, data))) throw new Error("WebCrypto verify failed");
  });
  const argon: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    await hashSecret(`bench-secret-${i}`);
    argon.push(performance.now() - start);
  }
  return { p256VerifyPerSecond, p256ImportAndVerifyPerSecond, argon2idHashMs: percentiles(argon.slice(2)) };
}

let userCounter = 0;
async function newUsers(count: number): Promise<User[]> {
  const users: User[] = [];
  for (let i = 0; i < count; i++) {
    const username = `floor_${++userCounter}`;
    const created = await createVerifiedUser({ username, email: `${username}@bench.example`, name: null });
    if (!created.ok) throw new Error(created.error);
    users.push(created.user);
  }
  return users;
}

type Person = { user: User; credential: SoftCredential };

/** One more slice of the level named `key` (interleaved with the server's own), or the end. */
export type FloorRequest = { key: string; flow: FloorFlow; concurrency: number; limits: Limits } | { stop: true };
export type FloorFlow = "signIn" | "signInWithSession" | "registration" | "email";
export type FloorReply = { ready: true } | { level: LevelResult } | { error: string };

async function main(): Promise<void> {
  const [out, mode] = process.argv.slice(2);
  const send = process.send?.bind(process);
  if (!out || !send) throw new Error("run by scripts/bench/run.ts: in-process.ts <output.json> [--quick], with a message channel");
  const plan = getPlan(mode === "--quick");
  const origin = new URL(process.env.APP_URL ?? "").origin;
  const levels = CONCURRENCY.filter((c) => c !== 8);

  const crypto = await cryptoFloor();
  const rssBeforeDatabaseBytes = rssBytes(process.pid);
  const dbStart = performance.now();
  await getDb();
  const databaseStartSeconds = (performance.now() - dbStart) / 1000;
  const rssAfterDatabaseBytes = rssBytes(process.pid);

  const people: Person[] = [];
  const register = async (user: User): Promise<StepTimes> => {
    const times: StepTimes = {};
    const options = await timed(times, "options", () => registrationOptions(user, []));
    const credential = new SoftCredential(options.user.id);
    const result = await timed(times, "verify", async () => {
      const verified = await verifyRegistration(user.id, credential.register(options, origin));
      return verified.ok ? savePasskey(user.id, verified.registration, { sessionId: null, userAgent: null, usedNow: true }) : verified;
    });
    if (!result.ok) throw new Error(result.error);
    people.push({ user, credential });
    return times;
  };
  /** Registrations of new users, made before each slice (untimed). */
  const registrations = (c: number) => {
    const users: User[] = [];
    const level = new Level(c, ownCpuMicros, async () => ({ times: await register(users.shift()!) }));
    return { level, prepare: async (count: number) => void users.push(...(await newUsers(count))) };
  };

  const signInOnce = async (person: Person): Promise<StepTimes> => {
    const times: StepTimes = {};
    const options = await timed(times, "options", () => authenticationOptions({ purpose: "sign-in" }));
    const response = person.credential.authenticate(options, origin);
    const result = await timed(times, "verify", () => verifyAuthentication(response, { purpose: "sign-in" }));
    if (!result.ok) throw new Error(result.error);
    return times;
  };

  const secret = process.env.SESSION_SECRET ?? "";
  const userAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
  // What starting the session does besides cookies() and headers(), which need a request: the user
  // looked up, the session and activity rows (one statement), one iron-session seal, the remembered
  // user's HMAC (lib/sign-in.ts completeSignIn, lib/session.ts).
  const signInWithSession = async (person: Person): Promise<StepTimes> => {
    const times = await signInOnce(person);
    await timed(times, "session", async () => {
      const user = await findUserById(person.user.id);
      if (!user) throw new Error("user not found");
      const signedIn = { type: "signed_in", detail: { method: "passkey", device: summarizeUserAgent(userAgent) } } as const;
      const { token } = await insertSession({ userId: user.id, method: "passkey", passkeyId: person.credential.idBase64url, userAgent }, new Date(), signedIn);
      await sealData({ token }, { password: secret, ttl: ABSOLUTE_TIMEOUT_MS / 1000 });
      createHmac("sha256", secret).update(`remember\0${user.id}`).digest("base64url");
    });
    return times;
  };
  const signIns = (c: number, withSession: boolean) => {
    const next = perWorker(people, c);
    return { level: new Level(c, ownCpuMicros, async (worker) => ({ times: await (withSession ? signInWithSession : signInOnce)(next(worker)) })) };
  };

  // Same shape as the server run: a new client per request, addresses round robin over people.
  let requestCounter = 0;
  const requestEmail = async (): Promise<StepTimes> => {
    const n = requestCounter++;
    const person = people[n % people.length]!;
    const times: StepTimes = {};
    await timed(times, "request", () => issueSignInEmail(person.user.username, { client: `10.200.${(n >> 8) & 255}.${n & 255}`, requestedBy: "Chrome on Linux" }));
    return times;
  };

  const flows: Record<FloorFlow, (c: number) => { level: Level; prepare?: (count: number) => Promise<void> }> = {
    signIn: (c) => signIns(c, false),
    signInWithSession: (c) => signIns(c, true),
    registration: registrations,
    email: (c) => ({ level: new Level(c, ownCpuMicros, async () => ({ times: await requestEmail() })) }),
  };
  // One more slice of the level named `key` (a new one for a new key); the level so far.
  const open = new Map<string, ReturnType<(typeof flows)[FloorFlow]>>();
  const slice = async (key: string, flow: FloorFlow, c: number, limits: Limits): Promise<LevelResult> => {
    let entry = open.get(key);
    if (!entry) open.set(key, (entry = flows[flow](c)));
    await entry.prepare?.(limits.count);
    return (await entry.level.slice(limits)).result();
  };
  const run = (flow: FloorFlow, c: number, limits: Limits) => slice(`${flow}:${c}:alone`, flow, c, limits);

  for (const user of await newUsers(plan.warmup)) await register(user);
  const registration: LevelResult[] = [];
  for (const c of levels) registration.push(await run("registration", c, plan.registration[c]));
  for (const person of people.slice(0, plan.warmup)) await signInOnce(person);
  for (const person of people.slice(0, plan.warmup)) await signInWithSession(person);
  const signIn: LevelResult[] = [];
  for (const c of levels) signIn.push(await run("signIn", c, plan.signIn));
  for (let i = 0; i < plan.warmup; i++) await requestEmail();
  const email: LevelResult[] = [];
  for (const c of levels) email.push(await run("email", c, plan.email[c]));

  const result: InProcessResult = { crypto, databaseStartSeconds, peakRssBytes: peakRssBytes(process.pid), rssBeforeDatabaseBytes, rssAfterDatabaseBytes, signIn, registration, email };
  writeFileSync(out, JSON.stringify(result, null, 2));

  send({ ready: true } satisfies FloorReply);
  await new Promise<void>((resolve) => {
    process.on("message", (message: FloorRequest) => {
      if ("stop" in message) return resolve();
      slice(message.key, message.flow, message.concurrency, message.limits).then(
        (result) => send({ level: result } satisfies FloorReply),
        (error: unknown) => send({ error: String(error) } satisfies FloorReply),
      );
    });
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
