/**
 * Server actions called over HTTP the way Next's client router calls them: a POST to the page URL
 * with `Next-Action: <id>` (from the build's server reference manifest), the arguments as
 * encodeReply sends them, the cookies the server set; the value read back out of the React Flight
 * (text/x-component) answer. For the bench, the soak and e2e/security.spec.ts (a client no browser
 * would be: a flood from another address, forged payloads). Tooling only.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import type { Socket } from "node:net";
import path from "node:path";
import { gunzipSync, inflateSync } from "node:zlib";

/** What a browser sends with every request (Chromium 156 on Linux, as captured from the e2e browser). */
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
/** Chromium's, so the server compresses as it would for a browser (`next start` picks gzip). */
const ACCEPT_ENCODING = "gzip, deflate, br, zstd";

type ReferenceManifest = { node: Record<string, { filename?: string; exportedName?: string }> };
const manifests = new Map<string, ReferenceManifest>();

/** The id of `exportName` in `file` (e.g. "app/login/actions.ts") in the build under test. */
export function actionId(file: string, exportName: string, projectDir = process.cwd()): string {
  let manifest = manifests.get(projectDir);
  if (!manifest) manifests.set(projectDir, (manifest = JSON.parse(readFileSync(path.join(projectDir, ".next/server/server-reference-manifest.json"), "utf8")) as ReferenceManifest));
  // The filename is relative to Turbopack's root, which may sit above the project.
  const found = Object.entries(manifest.node).find(([, e]) => e.exportedName === exportName && (e.filename === file || e.filename?.endsWith(`/${file}`)));
  if (!found) throw new Error(`no server action ${exportName} in ${file}`);
  return found[0];
}

export type ActionInput = { args: unknown[] } | { form: Record<string, string>; prevState?: object };

/** A multipart/form-data body of plain text fields, as a browser sends a form; and its Content-Type. */
export function multipartForm(fields: [string, string][]): { body: string; contentType: string } {
  const boundary = `----FormBoundary${Math.random().toString(36).slice(2)}`;
  const body = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join("") + `--${boundary}--\r\n`;
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The body encodeReply sends: plain arguments as JSON, or one FormData argument as multipart. */
function encodeReply(input: ActionInput): { body: string; contentType: string } {
  // Plain values are JSON, with a leading "$" in a string escaped as "$$".
  if ("args" in input) return { body: JSON.stringify(input.args, (_key, value: unknown) => (typeof value === "string" && value.startsWith("$") ? `$${value}` : value)), contentType: "text/plain;charset=UTF-8" };
  // The form's fields under the "_1_" prefix, and the argument list in field "0" with "$K1"
  // standing for that form (after useActionState's previous state).
  return multipartForm([...Object.entries(input.form).map(([k, v]): [string, string] => [`_1_${k}`, v]), ["0", JSON.stringify(input.prevState ? [input.prevState, "$K1"] : ["$K1"])]]);
}

/** `wireBytes`: the response as it came off the socket (status line, headers, compressed body). */
export type HttpResponse = { status: number; headers: http.IncomingHttpHeaders; body: string; wireBytes: number };

type Request = { port: number; method: string; path: string; headers: http.OutgoingHttpHeaders; body?: string; agent?: http.Agent; localAddress?: string; timeoutMs?: number };

/** One request to 127.0.0.1, its body decompressed. */
function send(r: Request): Promise<HttpResponse> {
  const what = `${r.method} ${r.path}`;
  const timeout = r.timeoutMs ?? 30_000;
  const headers = r.body === undefined ? r.headers : { ...r.headers, "Content-Length": Buffer.byteLength(r.body) };
  return new Promise((resolve, reject) => {
    // A keep-alive socket carries one request at a time: what it read meanwhile is this response.
    let socket: Socket | undefined;
    let readBefore = 0;
    const req = http.request({ host: "127.0.0.1", port: r.port, method: r.method, path: r.path, headers, agent: r.agent, localAddress: r.localAddress, timeout }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const raw = Buffer.concat(chunks);
        const encoding = res.headers["content-encoding"];
        if (encoding !== undefined && encoding !== "gzip" && encoding !== "deflate") return reject(new Error(`${what}: unexpected Content-Encoding ${encoding}`));
        const body = (encoding === "gzip" ? gunzipSync(raw) : encoding === "deflate" ? inflateSync(raw) : raw).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, wireBytes: (socket?.bytesRead ?? Number.NaN) - readBefore });
      });
    });
    req.on("socket", (assigned) => {
      socket = assigned;
      readBefore = assigned.bytesRead;
    });
    req.on("timeout", () => req.destroy(new Error(`${what} timed out after ${timeout} ms`)));
    req.on("error", reject);
    req.end(r.body);
  });
}

/** "<path>;push" in X-Action-Redirect: where the client router would go next. */
const redirectOf = (headers: http.IncomingHttpHeaders) => (typeof headers["x-action-redirect"] === "string" ? headers["x-action-redirect"].split(";")[0] : undefined);

export type ActionResponse = { status: number; body: string; redirect?: string };

/**
 * POSTs action `id` to `page` on `origin` and returns the raw answer. `localAddress` picks the
 * client address (the whole 127.0.0.0/8 block is this machine); `headers` are sent as well (what a
 * proxy adds). A form goes with useActionState's previous state, {}.
 */
export async function callAction(
  origin: string,
  page: string,
  id: string,
  input: { args: unknown[] } | { form: Record<string, string> },
  options: { localAddress?: string; cookie?: string; headers?: Record<string, string> } = {},
): Promise<ActionResponse> {
  const url = new URL(page, origin);
  const { body, contentType } = encodeReply("args" in input ? input : { ...input, prevState: {} });
  const headers = { Host: url.host, Origin: url.origin, "Content-Type": contentType, "Next-Action": id, Accept: "text/x-component", ...(options.cookie ? { Cookie: options.cookie } : {}), ...options.headers };
  const answer = await send({ port: Number(url.port), method: "POST", path: `${url.pathname}${url.search}`, headers, body, localAddress: options.localAddress });
  return { status: answer.status, body: answer.body, redirect: redirectOf(answer.headers) };
}

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
      if (value === "" || attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

const ACTIONS = {
  passkeyOptions: "app/login/actions.ts",
  passkeySignIn: "app/login/actions.ts",
  emailLinkForTyped: "app/login/actions.ts",
  submitSignup: "app/signup/actions.ts",
  submitSignupCode: "app/signup/actions.ts",
  signupPasskeyOptionsAction: "app/signup/actions.ts",
  signupWithPasskeyAction: "app/signup/actions.ts",
  submitEmailCode: "app/login/code/actions.ts",
  addPasskeyOptionsAction: "app/account/actions.ts",
  addPasskeyVerifyAction: "app/account/actions.ts",
  removePasskeyAction: "app/account/actions.ts",
  signOutOthersAction: "app/account/actions.ts",
} as const;
export type ActionName = keyof typeof ACTIONS;
export type ActionResult = { value: unknown } | { redirect: string };

/** The server under test: 127.0.0.1 on `port`, addressed as APP_URL's host (localhost:<port>), many browsers at once. */
export class AppServer {
  readonly origin: string;
  /** CPU time the server process has used so far, in microseconds. */
  readonly cpuMicros: () => number;
  private readonly agent: http.Agent;
  private readonly projectDir: string;
  /** A request with no answer for this long fails (a hang, for the soak). */
  private readonly timeoutMs?: number;

  constructor(
    readonly port: number,
    options: { maxSockets: number; cpuMicros?: () => number; timeoutMs?: number; projectDir?: string },
  ) {
    this.origin = `http://localhost:${port}`;
    // Keep-alive, like a browser's connection reuse; one socket per concurrent client.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
    this.cpuMicros = options.cpuMicros ?? (() => 0);
    this.timeoutMs = options.timeoutMs;
    this.projectDir = options.projectDir ?? process.cwd();
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
    const cookie = browser.cookieHeader();
    const headers = { Host: `localhost:${this.port}`, "User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING, "X-Forwarded-For": browser.ip, ...extra, ...(cookie ? { Cookie: cookie } : {}) };
    browser.lastHeaders = undefined;
    const response = await send({ port: this.port, method, path: urlPath, headers, body, agent: this.agent, timeoutMs: this.timeoutMs });
    browser.store(response.headers["set-cookie"]);
    browser.lastHeaders = response.headers;
    browser.received += response.wireBytes;
    return response;
  }

  /** Calls a server action as the page at `pagePath` does; a status other than 200 throws HttpError. */
  async action(pagePath: string, action: ActionName, browser: VirtualBrowser, input: ActionInput): Promise<ActionResult> {
    const { body, contentType } = encodeReply(input);
    const headers = {
      Accept: "text/x-component",
      "Content-Type": contentType,
      "Next-Action": actionId(ACTIONS[action], action, this.projectDir),
      "Next-Router-State-Tree": routerStateTree(new URL(pagePath, this.origin).pathname),
      Origin: this.origin,
      Referer: `${this.origin}${pagePath}`,
    };
    const response = await this.request("POST", pagePath, browser, headers, body);
    if (response.status !== 200) throw new HttpError(response.status, response.body, action);
    const redirect = redirectOf(response.headers);
    return redirect !== undefined ? { redirect } : { value: actionValue(response.body) };
  }

  /**
   * Posts `fields` to a server action as a plain form from the page at `pagePath`, as the passkey
   * sign-in and sign-up do (components/use-passkey-ceremony.ts postToAction): the answer is a 303,
   * whose Location this returns; another status throws HttpError.
   */
  async postForm(pagePath: string, action: ActionName, browser: VirtualBrowser, fields: Record<string, string>): Promise<string> {
    const { body, contentType } = multipartForm([[`$ACTION_ID_${actionId(ACTIONS[action], action, this.projectDir)}`, ""], ...Object.entries(fields)]);
    const headers = { "Content-Type": contentType, Origin: this.origin, Referer: `${this.origin}${pagePath}` };
    const response = await this.request("POST", pagePath, browser, headers, body);
    const location = response.headers.location;
    if (response.status !== 303 || !location) throw new HttpError(response.status, response.body, action);
    return location;
  }
}

/**
 * The Next-Router-State-Tree header the client router sends from a page: the segments down to
 * the page, with the flags a freshly loaded page has (copied from a captured browser request).
 */
function routerStateTree(pathname: string): string {
  let node: unknown[] = ["__PAGE__", {}, null, null, 0];
  for (const segment of pathname.split("/").filter(Boolean).reverse()) node = [segment, { children: node }, null, null, 0];
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
  const decode = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(decode);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
    if (typeof value !== "string" || !value.startsWith("$")) return value;
    if (value.startsWith("$$")) return value.slice(1);
    if (value === "$undefined") return undefined;
    const ref = /^\$@?([0-9a-f]+)$/.exec(value)?.[1];
    if (!ref) throw new Error(`unsupported flight value ${value.slice(0, 20)}`);
    const row = rows.get(ref);
    if (row === undefined) throw new Error(`flight row ${ref} missing`);
    return decode(JSON.parse(row) as unknown);
  };
  const root = JSON.parse(rows.get("0") ?? "null") as { a?: unknown } | null;
  if (!root || typeof root.a !== "string") throw new Error(`no action result in response: ${flight.slice(0, 200)}`);
  return decode(root.a);
}
