import { vi } from "vitest";
import { currentBrowser } from "./browser";

// lib code reads the request through next/headers; in unit tests, "the request" is a TestBrowser.
vi.mock("next/headers", () => ({
  cookies: async () => currentBrowser().cookieStore(),
  headers: async () => currentBrowser().headers(),
}));

// As a server start does with no proxy trusted: per-client limits key on each TestBrowser's address.
const { stampPeerAddresses } = await import("@/lib/peer-address");
stampPeerAddresses();
