/**
 * Calls the app's server actions over HTTP the way Next's client router does (a POST to the page
 * URL with `Next-Action: <id>`, the arguments as the body, the cookies the server set), and reads
 * the returned value out of the React Flight (text/x-component) response. Bench and soak tooling only.
 */
import http from "node:http";
import type { Socket } from "node:net";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync, inflateSync } from "node:zlib";

/** What a browser sends with every request (Chromium 156 on Linux, as captured from the e2e browser). */
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
/** Chromium's, so the server compresses as it would for a browser (`next start` picks gzip). */
const ACCEPT_ENCODING = "gzip, deflate, br, zstd";
const REQUEST_TIMEOUT_MS = 30_000;

/** An action answered with another status than 200: the status and the start of the body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

/** `wireBytes`: the response as it came off the socket (status line, headers, compressed body). */
export type HttpResponse = { status: number; headers: http.IncomingHttpHeaders; body: string; wireBytes: number; headerBytes: number };

/** One browser: its cookies and the client IP it appears from (the server trusts X-Forwarded-For). */
export class VirtualBrowser {
  private readonly cookies = new Map<string, string>();
  /** Bytes of every response this browser has received, as sent on the wire. */
  received = 0;
  /** The headers of the last response (one request at a time per browser). */
  lastHeaders?: http.IncomingHttpHeaders;

  constructor(readonly ip: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** The cookies as name/value pairs (to hand a signed-in session to Chromium). */
  entries(): { name: string; value: string }[] {
    return [...this.cookies].map(([name, value]) => ({ name, value }));
  }

  /** Applies Set-Cookie headers: a cookie set to expire (iron-session's destroy) is dropped. */
  store(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** The server under test: 127.0.0.1 on `port`, addressed as APP_URL's host (localhost:<port>). */
export class AppServer {
  readonly origin: string;
  private readonly agent: http.Agent;
  private readonly actionIds: Map<string, string>;

  constructor(
    readonly port: number,
    projectDir: string,
    maxSockets: number,
    /** CPU time the server process has used so far, in microseconds. */
    readonly cpuMicros: () => number,
    /** A request with no answer for this long fails (a hang, for the soak). */
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {
    this.origin = `http://localhost:${port}`;
    // Keep-alive, like a browser's connection reuse; one socket per concurrent client.
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
    this.actionIds = readActionIds(projectDir);
  }

  close(): void {
    this.agent.destroy();
  }

  /**
   * Closes the pooled connections no request is using. After a pause (while the floor is
   * measured), the server may be closing one (its keep-alive timeout is 5 s) just as it is reused,
   * and that request would fail with "socket hang up".
   */
  closeIdleConnections(): void {
    for (const sockets of Object.values(this.agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
  }

  async request(method: "GET" | "POST", urlPath: string, browser: VirtualBrowser, extra: http.OutgoingHttpHeaders = {}, body?: string): Promise<HttpResponse> {
    const headers: http.OutgoingHttpHeaders = {
      Host: `localhost:${this.port}`,
      "User-Agent": USER_AGENT,
      "Accept-Encoding": ACCEPT_ENCODING,
      "X-Forwarded-For": browser.ip,
      ...extra,
    };
    const cookie = browser.cookieHeader();
    if (cookie) headers.Cookie = cookie;
    if (body !== undefined) headers["Content-Length"] = Buffer.byteLength(body);
    browser.lastHeaders = undefined;
    const response = await new Promise<HttpResponse>((resolve, reject) => {
      // A keep-alive socket carries one request at a time: what it read meanwhile is this response.
      let readBefore = 0;
      let socket: Socket | undefined;
      const req = http.request({ host: "127.0.0.1", port: this.port, method, path: urlPath, headers, agent: this.agent, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          try {
            const raw = Buffer.concat(chunks);
            const encoding = res.headers["content-encoding"];
            if (encoding !== undefined && encoding !== "gzip" && encoding !== "deflate") throw new Error(`${method} ${urlPath}: unexpected Content-Encoding ${encoding}`);
            const text = (encoding === "gzip" ? gunzipSync(raw) : encoding === "deflate" ? inflateSync(raw) : raw).toString("utf8");
            const headerBytes = Buffer.byteLength(`HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\r\n${rawHeaderLines(res.rawHeaders)}\r\n`);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, wireBytes: (socket?.bytesRead ?? Number.NaN) - readBefore, headerBytes });
          } catch (error) {
            reject(error);
          }
        });
      });
      req.on("socket", (assigned) => {
        socket = assigned;
        readBefore = assigned.bytesRead;
      });
      req.on("timeout", () => req.destroy(new Error(`${method} ${urlPath} timed out after ${this.timeoutMs} ms`)));
      req.on("error", reject);
      req.end(body);
    });
    browser.store(response.headers["set-cookie"]);
    browser.lastHeaders = response.headers;
    browser.received += response.wireBytes;
    return response;
  }

  /**
   * Calls a server action as the page at `pagePath` does. `args` are the action's arguments
   * (JSON, as encodeReply sends plain values), or `form` for an action bound to a <form>.
   */
  async action(
    pagePath: string,
    action: ActionName,
    browser: VirtualBrowser,
    input: { args: unknown[] } | { form: Record<string, string>; prevState?: object },
  ): Promise<ActionResult> {
    const id = this.actionIds.get(action);
    if (!id) throw new Error(`no action id for ${action} in .next/server/server-reference-manifest.json`);
    let body: string;
    let contentType: string;
    if ("args" in input) {
      // encodeReply of plain values is JSON, with a leading "$" in a string escaped as "$$".
      body = JSON.stringify(input.args, (_key, value: unknown) => (typeof value === "string" && value.startsWith("$") ? `$${value}` : value));
      contentType = "text/plain;charset=UTF-8";
    } else {
      // encodeReply of a FormData argument: the fields under the "_1_" prefix, and the argument
      // list in field "0" with "$K1" standing for that form (after useActionState's previous state).
      const boundary = `----BenchFormBoundary${Math.random().toString(36).slice(2)}`;
      const fields: [string, string][] = [
        ...Object.entries(input.form).map(([k, v]): [string, string] => [`_1_${k}`, v]),
        ["0", JSON.stringify(input.prevState ? [input.prevState, "$K1"] : ["$K1"])],
      ];
      body = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join("") + `--${boundary}--\r\n`;
      contentType = `multipart/form-data; boundary=${boundary}`;
    }
    const response = await this.request(
      "POST",
      pagePath,
      browser,
      {
        Accept: "text/x-component",
        "Content-Type": contentType,
        "Next-Action": id,
        "Next-Router-State-Tree": routerStateTree(new URL(pagePath, this.origin).pathname),
        Origin: this.origin,
        Referer: `${this.origin}${pagePath}`,
      },
      body,
    );
    if (response.status !== 200) throw new HttpError(response.status, response.body, action);
    // "<path>;push": where the client router would go next.
    const redirect = response.headers["x-action-redirect"];
    if (typeof redirect === "string") return { redirect: redirect.split(";")[0] ?? redirect };
    return { value: actionValue(response.body) };
  }
}

export type ActionResult = { value: unknown } | { redirect: string };

function rawHeaderLines(raw: string[]): string {
  let lines = "";
  for (let i = 0; i + 1 < raw.length; i += 2) lines += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return lines;
}

const ACTIONS = {
  passkeyOptions: "app/login/actions.ts",
  passkeyVerify: "app/login/actions.ts",
  emailLinkForTyped: "app/login/actions.ts",
  submitSignup: "app/signup/actions.ts",
  submitSignupCode: "app/signup/actions.ts",
  signupPasskeyOptionsAction: "app/signup/actions.ts",
  signupPasskeyVerifyAction: "app/signup/actions.ts",
  submitEmailCode: "app/login/code/actions.ts",
  addPasskeyOptionsAction: "app/account/actions.ts",
  addPasskeyVerifyAction: "app/account/actions.ts",
  removePasskeyAction: "app/account/actions.ts",
  signOutOthersAction: "app/account/actions.ts",
} as const;
export type ActionName = keyof typeof ACTIONS;

type ReferenceManifest = { node: Record<string, { filename?: string; exportedName?: string }> };

/** Action ids of this build, found by file and export name in the server reference manifest. */
function readActionIds(projectDir: string): Map<string, string> {
  const manifest = JSON.parse(readFileSync(path.join(projectDir, ".next/server/server-reference-manifest.json"), "utf8")) as ReferenceManifest;
  const ids = new Map<string, string>();
  for (const [id, entry] of Object.entries(manifest.node)) {
    const name = entry.exportedName as ActionName | undefined;
    // The filename is relative to Turbopack's root, which may sit above the project.
    const file = name && ACTIONS[name];
    if (file && (entry.filename === file || entry.filename?.endsWith(`/${file}`))) ids.set(name, id);
  }
  return ids;
}

/**
 * The Next-Router-State-Tree header the client router sends from a page: the segments down to
 * the page, with the flags a freshly loaded page has (copied from a captured browser request).
 */
function routerStateTree(pathname: string): string {
  const segments = pathname.split("/").filter(Boolean);
  let node: unknown[] = ["__PAGE__", {}, null, null, 0];
  for (const segment of segments.reverse()) node = [segment, { children: node }, null, null, 0];
  return encodeURIComponent(JSON.stringify(["", { children: node }, null, null, 16]));
}

/**
 * The action's return value from a Flight response: row 0 is the root object whose `a` points at
 * the row holding the value. Only the encodings plain JSON results use are understood; anything
 * else throws, so a change in Next's wire format shows up as an error, not a wrong figure.
 */
function actionValue(flight: string): unknown {
  const rows = new Map<string, string>();
  for (const line of flight.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && /^[0-9a-f]+$/.test(line.slice(0, colon))) rows.set(line.slice(0, colon), line.slice(colon + 1));
  }
  const resolveRow = (id: string): unknown => {
    const row = rows.get(id);
    if (row === undefined) throw new Error(`flight row ${id} missing`);
    return decode(JSON.parse(row) as unknown);
  };
  const decode = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(decode);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
    if (typeof value !== "string" || !value.startsWith("$")) return value;
    if (value.startsWith("$$")) return value.slice(1);
    if (value === "$undefined") return undefined;
    const ref = /^\$@?([0-9a-f]+)$/.exec(value);
    if (ref?.[1]) return resolveRow(ref[1]);
    throw new Error(`unsupported flight value ${value.slice(0, 20)}`);
  };
  const root = JSON.parse(rows.get("0") ?? "null") as { a?: unknown } | null;
  if (!root || typeof root.a !== "string") throw new Error(`no action result in response: ${flight.slice(0, 200)}`);
  return decode(root.a);
}
