import { describe, expect, it } from "vitest";
import { readableDate } from "./dates";

describe("readableDate", () => {
  const now = new Date("2026-12-05T18:00:00Z");

  it("says weekday, day, month and a 24-hour UTC time, without seconds", () => {
    expect(readableDate(new Date("2026-12-05T16:46:15Z"), now)).toBe("Saturday 5 December, 16:46 UTC");
    expect(readableDate(new Date("2026-03-01T08:05:59Z"), now)).toBe("Sunday 1 March, 08:05 UTC");
  });

  it("adds the year only when it isn't this year's", () => {
    expect(readableDate(new Date("2025-12-31T23:59:00Z"), now)).toBe("Wednesday 31 December 2025, 23:59 UTC");
  });

  it("reads the time in UTC whatever the server's zone", () => {
    // 00:30 UTC on the 6th is still the 5th in New York: the words must say the 6th.
    expect(readableDate(new Date("2026-12-06T00:30:00Z"), now)).toBe("Sunday 6 December, 00:30 UTC");
  });
});
