import http from "node:http";
import { readFileSync } from "node:fs";

/**
 * Server actions called the way the browser's router calls them, from Node: for tests that act
 * as a client no browser would be (a flood from another address, forged payloads).
 */
type ReferenceManifest = { node: Record<string, { filename?: string; exportedName?: string }> };

/** The id of `exportName` in `file` (e.g. "app/login/actions.ts") in the build under test. */
export function actionId(file: string, exportName: string): string {
  const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as ReferenceManifest;
  const found = Object.entries(manifest.node).find(([, e]) => e.exportedName === exportName && (e.filename === file || e.filename?.endsWith(`/${file}`)));
  if (!found) throw new Error(`no server action ${exportName} in ${file}`);
  return found[0];
}

export type ActionResponse = { status: number; body: string; redirect?: string };

/**
 * POSTs an action to `page` on `origin`: `args` as JSON (a call with plain values), or `form` as
 * a form action with useActionState's previous state. `localAddress` picks the client address
 * (the whole 127.0.0.0/8 block is this machine); `headers` are sent as well (what a proxy adds).
 */
export function callAction(
  origin: string,
  page: string,
  id: string,
  input: { args: unknown[] } | { form: Record<string, string> },
  options: { localAddress?: string; cookie?: string; headers?: Record<string, string> } = {},
): Promise<ActionResponse> {
  let body: string;
  let type: string;
  if ("args" in input) {
    body = JSON.stringify(input.args);
    type = "text/plain;charset=UTF-8";
  } else {
    // encodeReply of a FormData argument: its fields under the "_1_" prefix, and the argument
    // list in field "0", with "$K1" standing for that form (after useActionState's previous state).
    const boundary = "----ActionBoundary";
    const fields: [string, string][] = [...Object.entries(input.form).map(([k, v]): [string, string] => [`_1_${k}`, v]), ["0", '[{},"$K1"]']];
    body = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join("") + `--${boundary}--\r\n`;
    type = `multipart/form-data; boundary=${boundary}`;
  }
  const url = new URL(page, origin);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: "POST",
        localAddress: options.localAddress,
        headers: {
          Host: url.host,
          Origin: url.origin,
          "Content-Type": type,
          "Content-Length": Buffer.byteLength(body),
          "Next-Action": id,
          Accept: "text/x-component",
          ...(options.cookie ? { Cookie: options.cookie } : {}),
          ...options.headers,
        },
        timeout: 30_000,
      },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
        res.on("end", () => {
          const redirect = res.headers["x-action-redirect"];
          resolve({ status: res.statusCode ?? 0, body: text, redirect: typeof redirect === "string" ? redirect.split(";")[0] : undefined });
        });
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("action call timed out")));
    req.end(body);
  });
}
