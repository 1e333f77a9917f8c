import { redirect } from "next/navigation";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fail } from "@/lib/shared/errors";
import type { FormState } from "@/lib/shared/form-state";
import { failed, formAction, loggable, resultAction } from "./action-adapter";

vi.mock("server-only", () => ({}));

describe("formAction", () => {
  afterEach(() => vi.restoreAllMocks());

  it("hands the body's state through, with the arguments it was given", async () => {
    const action = formAction(async (prev: { done?: string }, name: string) => ({ done: `${prev.done ?? ""}${name}` }));
    await expect(action({ done: "a" }, "b")).resolves.toEqual({ done: "ab" });
  });

  // Found by `npm run soak`: with PostgreSQL or Redis down, a throwing action was Next's
  // digest-only 500, and the form gave way to the error page.
  it("answers a body that throws (a backend out of reach) as an 'unavailable' failure, without its details", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const action = formAction(async (): Promise<FormState> => {
      throw new Error("Failed query: select ... [cause]: connect ECONNREFUSED 127.0.0.1:5432");
    });
    const state = await action();
    expect(state).toEqual({ failure: "unavailable", error: "We can't reach one of our services right now. Please try again in a moment." });
    expect(state.restart).toBeUndefined();
    expect(logged).toHaveBeenCalledOnce();
  });

  it("logs a failed query's first line and its cause's code, never its parameters", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const query = new Error('Failed query: select "id" from "users" where lower("users"."username") = $1\nparams: alice,1', { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) });
    await formAction(async (): Promise<FormState> => {
      throw query;
    })();
    const line = logged.mock.calls.flat().join(" ");
    expect(line).toContain("Failed query: select");
    expect(line).toContain("(ECONNREFUSED)");
    expect(line).not.toContain("alice");
    expect(loggable("a string")).toBe("(not an Error)");
  });

  it("puts back what was typed, so the reset form keeps it", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const action = formAction(
      async (_prev: FormState, typed: string): Promise<FormState> => {
        throw new Error(`connect ECONNREFUSED, typed ${typed}`);
      },
      (_prev, typed) => ({ value: typed }),
    );
    await expect(action({}, "ada")).resolves.toMatchObject({ value: "ada", failure: "unavailable" });
  });

  it("lets Next's redirect through", async () => {
    const action = formAction(async () => redirect("/account"));
    await expect(action()).rejects.toMatchObject({ digest: expect.stringMatching(/^NEXT_REDIRECT;/) });
  });

  it("maps a failure to its code and words, tries left included", () => {
    expect(failed({ ...fail("wrong_code"), attemptsLeft: 2 }, { restart: false })).toEqual({
      failure: "wrong_code",
      error: "That code isn't right. Check the email and try again. 2 tries left.",
      restart: false,
    });
  });
});

describe("resultAction", () => {
  afterEach(() => vi.restoreAllMocks());

  it("hands the body's result through, and answers a throw as the 'unavailable' failure", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    await expect(resultAction(async (n: number) => ({ ok: true as const, n }))(2)).resolves.toEqual({ ok: true, n: 2 });
    const outage = resultAction(async (): Promise<{ ok: true }> => {
      throw new Error("UpstashError: fetch failed");
    });
    await expect(outage()).resolves.toEqual({ ok: false, error: "unavailable" });
  });

  it("lets Next's redirect through", async () => {
    await expect(resultAction(async () => redirect("/account"))()).rejects.toMatchObject({ digest: expect.stringMatching(/^NEXT_REDIRECT;/) });
  });
});
