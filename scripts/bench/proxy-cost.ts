/**
 * What proxy.ts itself costs per request, in this process: the function run on requests shaped as
 * a sign-in's (its page; the verify, a form posted to the sign-in action; and a fetched action, as
 * for fresh options). Next's own work to
 * call a proxy is not in it (the server floors in run.ts include that).
 */
import { NextRequest } from "next/server";
import { proxy } from "../../proxy";
import { multipartForm } from "@/test/action-client";

const ORIGIN = "http://localhost:3000";
const ITERATIONS = 2000;

/** An assertion as the page posts it, about 1.4 KB. */
const ASSERTION = JSON.stringify({
    id: "x".repeat(43),
    rawId: "x".repeat(43),
    type: "public-key",
    response: { clientDataJSON: "c".repeat(300), authenticatorData: "a".repeat(50), signature: "s".repeat(96), userHandle: "u".repeat(43) },
    clientExtensionResults: {},
    authenticatorAttachment: "platform",
});
const FORM = multipartForm([[`$ACTION_ID_${"0".repeat(42)}`, ""], ["response", ASSERTION], ["next", "/account"]]);

const requests = {
  page: () => new NextRequest(`${ORIGIN}/login`, { headers: { accept: "text/html", host: "localhost:3000" } }),
  action: () =>
    new NextRequest(`${ORIGIN}/login`, {
      method: "POST",
      headers: { "next-action": "0".repeat(42), "content-type": "text/plain;charset=UTF-8", origin: ORIGIN, host: "localhost:3000" },
      body: JSON.stringify([ASSERTION]),
    }),
  formPost: () =>
    new NextRequest(`${ORIGIN}/login`, {
      method: "POST",
      headers: { "content-type": FORM.contentType, origin: ORIGIN, host: "localhost:3000" },
      body: FORM.body,
    }),
};

export type ProxyCost = Record<keyof typeof requests, number>;

/** CPU milliseconds per call of the proxy, per kind of request (each measured after a warm-up). */
export async function measureProxyCost(): Promise<ProxyCost> {
  const result = {} as ProxyCost;
  for (const [kind, make] of Object.entries(requests) as [keyof typeof requests, () => NextRequest][]) {
    for (let i = 0; i < ITERATIONS / 4; i++) await proxy(make());
    // Building the request is the caller's cost: made first, only the proxy is timed.
    const made = Array.from({ length: ITERATIONS }, make);
    const start = process.cpuUsage();
    for (const request of made) {
      const response = await proxy(request);
      if (response.status >= 400) throw new Error(`proxy refused the ${kind} request: ${response.status}`);
    }
    const used = process.cpuUsage(start);
    result[kind] = (used.user + used.system) / 1000 / ITERATIONS;
  }
  return result;
}
