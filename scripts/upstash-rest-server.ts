/**
 * A stand-in for Upstash's REST API in front of a real redis-server, so tests can run the real
 * @upstash/redis client end to end. Test tooling only: never imported by app code.
 *
 * Protocol (as @upstash/redis 1.39 uses it):
 * - every request is a POST with `Authorization: Bearer <token>` and a JSON body;
 * - `/` takes one command array, e.g. ["set","k","v","ex",10] (arguments may be JSON numbers or
 *   booleans) and answers {"result": ...}, or {"error": "ERR ..."} with status 400;
 * - `/pipeline` and `/multi-exec` take an array of command arrays and answer an array of
 *   {"result"} / {"error"} entries; `/multi-exec` runs them inside MULTI/EXEC;
 * - with `Upstash-Encoding: base64` every string in a result is base64 (UTF-8 bytes), recursively
 *   inside arrays, except the simple status "OK"; integers and null stay as they are. The client
 *   base64-decodes every string it receives except "OK", so a plain string would be corrupted.
 */
import http from "node:http";
import type { Redis } from "ioredis";
import { listenOnLoopback, readBody, redisClient, sendJson as send } from "./services";

export type UpstashRestServer = { url: string; close(): Promise<void> };

export async function startUpstashRestServer(opts: { redisPort: number; token: string; port?: number }): Promise<UpstashRestServer> {
  // A client that has lost redis-server (the fault tests stop and restart it) is replaced at the
  // next request; while redis-server is down, requests fail at once, as Upstash's do when its
  // database is unavailable.
  let client = redisClient(opts.redisPort);
  const redis = () => {
    if (client.status === "end") client = redisClient(opts.redisPort);
    return client;
  };
  const server = http.createServer((req, res) => {
    handle(req, opts.token, redis).then(
      ({ status, body }) => send(res, status, body),
      (error: unknown) => send(res, 500, { error: `ERR test server: ${error instanceof Error ? error.message : String(error)}` }),
    );
  });
  const listening = await listenOnLoopback(server, opts.port).catch((error: unknown) => {
    client.disconnect();
    throw error;
  });
  return {
    url: listening.url,
    async close() {
      await listening.close();
      client.disconnect();
    },
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Reply = { status: number; body: Json };
type Entry = { result: Json } | { error: string };

/** Commands that would change the state of the one shared Redis connection. */
const CONNECTION_COMMANDS = new Set([
  "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH", "SELECT", "QUIT", "RESET", "HELLO", "AUTH",
  "MONITOR", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
]);

class BadRequest extends Error {}

async function handle(req: http.IncomingMessage, token: string, redis: () => Redis): Promise<Reply> {
  if (req.headers.authorization !== `Bearer ${token}`) return { status: 401, body: { error: "Unauthorized" } };
  if (req.method !== "POST") return { status: 405, body: { error: "ERR only POST is supported" } };
  const base64 = req.headers["upstash-encoding"] === "base64";
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  try {
    const body = await readJson(req);
    if (path === "/") {
      const [name, ...args] = toCommand(body);
      const entry = await redis().call(name, args).then((result) => ({ result: toJson(result, base64) }), replyError);
      return { status: "error" in entry ? 400 : 200, body: entry };
    }
    if (path === "/pipeline" || path === "/multi-exec") {
      // A transaction's MULTI, commands and EXEC go out in one write, so nothing interleaves.
      const batch = path === "/pipeline" ? redis().pipeline() : redis().multi();
      for (const [name, ...args] of toCommandList(body)) batch.call(name, args);
      // Rejected with EXECABORT when a command was refused while queueing, so none ran.
      const outcomes = await batch.exec().catch((error: unknown) => replyError(error));
      if (!outcomes || "error" in outcomes) return { status: 400, body: outcomes ?? { error: "ERR transaction aborted" } };
      return { status: 200, body: outcomes.map(([error, result]): Entry => (error ? replyError(error) : { result: toJson(result, base64) })) };
    }
    return { status: 404, body: { error: `ERR unknown path ${path}` } };
  } catch (error) {
    if (error instanceof BadRequest) return { status: 400, body: { error: error.message } };
    throw error;
  }
}

/** Redis's own error replies are the client's to see; anything else (redis-server gone) fails the request. */
function replyError(error: unknown): { error: string } {
  if (error instanceof Error && error.name === "ReplyError") return { error: error.message };
  throw error;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const body = await readBody(req);
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    throw new BadRequest("ERR failed to parse command");
  }
}

/**
 * ["set","k","v","ex",10] -> ["SET","k","v","ex","10"]: the client sends numbers as JSON numbers.
 * The name in upper case, because ioredis reshapes some replies by lower-case name (HGETALL into
 * an object), and Upstash answers with Redis's own shapes.
 */
function toCommand(value: unknown): [string, ...string[]] {
  if (!Array.isArray(value) || value.length === 0) throw new BadRequest("ERR a command must be a non-empty array");
  const [name, ...args] = value.map((arg: unknown) => {
    if (typeof arg === "string") return arg;
    if (typeof arg === "number" || typeof arg === "boolean") return String(arg);
    throw new BadRequest("ERR command arguments must be strings, numbers or booleans");
  });
  const upper = (name ?? "").toUpperCase();
  if (CONNECTION_COMMANDS.has(upper)) throw new BadRequest(`ERR ${upper} is not supported by this test server`);
  return [upper, ...args];
}

function toCommandList(value: unknown): [string, ...string[]][] {
  if (!Array.isArray(value) || value.length === 0) throw new BadRequest("ERR expected a non-empty array of commands");
  return value.map(toCommand);
}

/** A reply as Upstash sends it: strings base64 when asked (all but "OK"), numbers and null as they are. */
function toJson(reply: unknown, base64: boolean): Json {
  if (Array.isArray(reply)) return reply.map((item) => toJson(item, base64));
  if (typeof reply === "string") return base64 && reply !== "OK" ? Buffer.from(reply, "utf8").toString("base64") : reply;
  if (typeof reply === "number" || reply === null) return reply;
  throw new Error(`unexpected reply from redis: ${typeof reply}`);
}
