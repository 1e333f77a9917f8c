import { describe, expect, it, vi } from "vitest";
import { createMemoryStore, kv } from "@/lib/kv";
import { kvContract } from "@/lib/kv.contract";

// kv() reads the app configuration; here it has no Upstash credentials.
vi.mock("@/lib/env", () => ({ getConfig: () => ({ upstash: null }) }));

kvContract("memory store", async () => {
  let fakeNow = Date.parse("2030-01-01T00:00:00Z");
  return {
    store: createMemoryStore(() => fakeNow),
    advance: (ms: number) => {
      fakeNow += ms;
    },
  };
});

describe("kv()", () => {
  it("uses the memory store without Upstash credentials, one instance per process", () => {
    expect(kv().kind).toBe("memory");
    expect(kv()).toBe(kv());
  });
});
