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
import net from "node:net";
import { listenOnLoopback } from "./services";

export type UpstashRestServer = { url: string; close(): Promise<void> };

export async function startUpstashRestServer(opts: {
  redisPort: number;
  token: string;
  port?: number;
}): Promise<UpstashRestServer> {
  // Reconnects after redis-server went away (fault tests stop and restart it); while it is down,
  // requests get an error, as from Upstash when its database is unavailable.
  let connecting = Promise.resolve(await RespConnection.connect(opts.redisPort));
  const redis = async (): Promise<RespConnection> => {
    const attempt = connecting;
    const current = await attempt.catch(() => null);
    if (current && !current.failed) return current;
    if (connecting === attempt) connecting = RespConnection.connect(opts.redisPort);
    return connecting;
  };
  const server = http.createServer((req, res) => {
    handle(req, opts.token, redis).then(
      ({ status, body }) => send(res, status, body),
      (error: unknown) => send(res, 500, { error: `ERR test server: ${error instanceof Error ? error.message : String(error)}` }),
    );
  });
  let listening;
  try {
    listening = await listenOnLoopback(server, opts.port);
  } catch (error) {
    (await connecting).close();
    throw error;
  }
  return {
    url: listening.url,
    async close() {
      await listening.close();
      (await connecting.catch(() => null))?.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP side

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Reply = { status: number; body: Json };
type Entry = { result: Json } | { error: string };

/** Commands that would change the state of the one shared Redis connection. */
const CONNECTION_COMMANDS = new Set([
  "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH", "SELECT", "QUIT", "RESET", "HELLO", "AUTH",
  "MONITOR", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
]);

class BadRequest extends Error {}

async function handle(req: http.IncomingMessage, token: string, connection: () => Promise<RespConnection>): Promise<Reply> {
  if (req.headers.authorization !== `Bearer ${token}`) return { status: 401, body: { error: "Unauthorized" } };
  if (req.method !== "POST") return { status: 405, body: { error: "ERR only POST is supported" } };
  const base64 = req.headers["upstash-encoding"] === "base64";
  const path = new URL(req.url ?? "/", "http://localhost").pathname;

  try {
    const body = await readJson(req);
    const redis = await connection();
    if (path === "/") {
      const [reply] = await redis.send([toCommand(body)]);
      if (!reply) throw new Error("no reply from redis");
      if (reply.type === "error") return { status: 400, body: { error: reply.message } };
      return { status: 200, body: { result: toJson(reply, base64) } };
    }
    if (path === "/pipeline" || path === "/multi-exec") {
      const commands = toCommandList(body);
      if (path === "/pipeline") {
        const replies = await redis.send(commands);
        return { status: 200, body: replies.map((r) => toEntry(r, base64)) };
      }
      // MULTI, the commands and EXEC go out in one write on one connection, so nothing interleaves.
      const replies = await redis.send([["MULTI"], ...commands, ["EXEC"]]);
      const exec = replies.at(-1);
      if (!exec) throw new Error("no reply from redis");
      // EXECABORT: a command was rejected while queueing, so none ran.
      if (exec.type === "error") return { status: 400, body: { error: exec.message } };
      if (exec.type !== "array" || exec.items === null) return { status: 400, body: { error: "ERR transaction aborted" } };
      return { status: 200, body: exec.items.map((r) => toEntry(r, base64)) };
    }
    return { status: 404, body: { error: `ERR unknown path ${path}` } };
  } catch (error) {
    if (error instanceof BadRequest) return { status: 400, body: { error: error.message } };
    throw error;
  }
}

function send(res: http.ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    throw new BadRequest("ERR failed to parse command");
  }
}

/** ["set","k","v","ex",10] -> ["set","k","v","ex","10"]: the client sends numbers as JSON numbers. */
function toCommand(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new BadRequest("ERR a command must be a non-empty array");
  const args = value.map((arg: unknown) => {
    if (typeof arg === "string") return arg;
    if (typeof arg === "number" || typeof arg === "boolean") return String(arg);
    throw new BadRequest("ERR command arguments must be strings, numbers or booleans");
  });
  const name = (args[0] ?? "").toUpperCase();
  if (CONNECTION_COMMANDS.has(name)) throw new BadRequest(`ERR ${name} is not supported by this test server`);
  return args;
}

function toCommandList(value: unknown): string[][] {
  if (!Array.isArray(value) || value.length === 0) throw new BadRequest("ERR expected a non-empty array of commands");
  return value.map(toCommand);
}

function toEntry(reply: RespReply, base64: boolean): Entry {
  return reply.type === "error" ? { error: reply.message } : { result: toJson(reply, base64) };
}

function toJson(reply: RespReply, base64: boolean): Json {
  switch (reply.type) {
    case "status":
      return base64 && reply.value !== "OK" ? Buffer.from(reply.value, "utf8").toString("base64") : reply.value;
    case "error":
      return reply.message; // only reachable nested inside an array reply
    case "integer":
      return reply.value;
    case "bulk":
      if (reply.value === null) return null;
      return reply.value.toString(base64 ? "base64" : "utf8");
    case "array":
      return reply.items === null ? null : reply.items.map((item) => toJson(item, base64));
  }
}

// ---------------------------------------------------------------------------------------------
// Minimal RESP2 client over one TCP connection. Replies come back in request order, so each
// pending request is just the next entry in a FIFO queue.

type RespReply =
  | { type: "status"; value: string }
  | { type: "error"; message: string }
  | { type: "integer"; value: number }
  | { type: "bulk"; value: Buffer | null }
  | { type: "array"; items: RespReply[] | null };

type Pending = { resolve(reply: RespReply): void; reject(error: Error): void };

class RespConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private failure: Error | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (error) => this.fail(error));
    socket.on("close", () => this.fail(new Error("redis connection closed")));
  }

  static connect(port: number): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: "127.0.0.1" });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.removeListener("error", reject);
        socket.setNoDelay(true);
        resolve(new RespConnection(socket));
      });
    });
  }

  /** Sends the commands in a single write and resolves with their replies, in order. */
  send(commands: string[][]): Promise<RespReply[]> {
    if (this.failure) return Promise.reject(this.failure);
    const replies = commands.map(
      () => new Promise<RespReply>((resolve, reject) => this.pending.push({ resolve, reject })),
    );
    this.socket.write(Buffer.concat(commands.map(encodeCommand)));
    return Promise.all(replies);
  }

  /** The connection broke (redis-server stopped): open a new one. */
  get failed(): boolean {
    return this.failure !== null;
  }

  close(): void {
    this.socket.end();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      let parsed: { reply: RespReply; next: number } | null;
      try {
        parsed = parseReply(this.buffer, 0);
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
        this.socket.destroy();
        return;
      }
      if (!parsed) return; // incomplete: wait for more bytes
      this.buffer = this.buffer.subarray(parsed.next);
      this.pending.shift()?.resolve(parsed.reply);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.splice(0)) p.reject(this.failure);
  }
}

function encodeCommand(args: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(arg, "utf8");
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** Parses one reply starting at pos; null when the buffer does not hold all of it yet. */
function parseReply(buf: Buffer, pos: number): { reply: RespReply; next: number } | null {
  const lineEnd = buf.indexOf("\r\n", pos);
  if (lineEnd === -1) return null;
  const line = buf.toString("utf8", pos + 1, lineEnd);
  const next = lineEnd + 2;
  switch (String.fromCharCode(buf[pos] ?? 0)) {
    case "+":
      return { reply: { type: "status", value: line }, next };
    case "-":
      return { reply: { type: "error", message: line }, next };
    case ":":
      return { reply: { type: "integer", value: Number(line) }, next };
    case "$": {
      const length = Number(line);
      if (length < 0) return { reply: { type: "bulk", value: null }, next };
      if (buf.length < next + length + 2) return null;
      return { reply: { type: "bulk", value: Buffer.from(buf.subarray(next, next + length)) }, next: next + length + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { reply: { type: "array", items: null }, next };
      const items: RespReply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, at);
        if (!item) return null;
        items.push(item.reply);
        at = item.next;
      }
      return { reply: { type: "array", items }, next: at };
    }
    default:
      throw new Error(`unexpected RESP reply type byte ${buf[pos]}`);
  }
}
