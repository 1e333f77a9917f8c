import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PEER_HEADER, peerAddressesStamped, stampPeerAddresses } from "./peer-address";

let server: http.Server;
let port = 0;

beforeAll(async () => {
  stampPeerAddresses();
  server = http.createServer((req, res) => res.end(String(req.headers[PEER_HEADER])));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A request from a chosen local address (the whole 127/8 block is loopback on Linux). */
function from(localAddress: string, forged?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, localAddress, headers: forged ? { [PEER_HEADER]: forged } : {} }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve(body));
    });
    req.on("error", reject);
  });
}

describe("stampPeerAddresses", () => {
  it("stamps each request with its TCP peer, overwriting a forged header of the same name", async () => {
    expect(peerAddressesStamped()).toBe(true);
    expect(await from("127.0.0.2")).toMatch(/127\.0\.0\.2$/);
    expect(await from("127.0.0.3", "198.51.100.1")).toMatch(/127\.0\.0\.3$/);
  });
});
