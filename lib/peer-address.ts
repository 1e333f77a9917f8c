import type { IncomingMessage } from "node:http";
import net from "node:net";

/**
 * The TCP peer of each request, for per-client rate limits when no proxy is trusted. Next.js
 * keeps a client's own X-Forwarded-For (it only fills the header in when absent), so that can't
 * be used; the socket can't be forged. This stamps the socket's address on every request the
 * process's HTTP servers receive, overwriting whatever a client sent under the same name.
 */
export const PEER_HEADER = "x-passwordless-peer";

const state = globalThis as unknown as { __passwordlessPeerStamp?: boolean };

/** Called once at start (instrumentation.ts), before the server takes requests. */
export function stampPeerAddresses(): void {
  if (state.__passwordlessPeerStamp) return;
  const emit = net.Server.prototype.emit;
  net.Server.prototype.emit = function (this: net.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "request") {
      const request = args[0] as IncomingMessage;
      request.headers[PEER_HEADER] = request.socket?.remoteAddress ?? "";
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  };
  state.__passwordlessPeerStamp = true;
}

/** Whether PEER_HEADER can be believed: only once this process stamps it on every request. */
export function peerAddressesStamped(): boolean {
  return state.__passwordlessPeerStamp === true;
}
