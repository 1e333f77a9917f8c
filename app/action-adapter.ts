import "server-only";
import { unstable_rethrow } from "next/navigation";
import { describeFailure, fail, type Failure, type Result } from "@/lib/shared/errors";
import type { FormState } from "@/lib/shared/form-state";

/** A lib failure as its form shows it. */
export function failed(failure: Failure, extra: Omit<FormState, "failure" | "error"> = {}): FormState {
  return { failure: failure.error, error: describeFailure(failure), ...extra };
}

/** "Send a new code": what its form says either way. */
export function resent(result: Result): FormState {
  return result.ok ? { done: "We sent a new code and link. Use the newest email." } : failed(result);
}

/**
 * What the log gets of a throw: its first line and its cause's code (ECONNREFUSED, 57P01...).
 * Drizzle puts a failed query's parameters (usernames, addresses, credential ids) on the lines
 * after, and those stay out of the logs.
 */
export function loggable(error: unknown): string {
  if (!(error instanceof Error)) return "(not an Error)";
  const cause: unknown = error.cause;
  const code = cause && typeof cause === "object" && "code" in cause && typeof cause.code === "string" ? ` (${cause.code})` : "";
  return `${error.message.split("\n")[0]}${code}`;
}

/**
 * The one place an action's throw becomes an answer. A body that throws (PostgreSQL or Redis out
 * of reach) would be Next.js's digest-only 500: for a form, the page swapped for the error page.
 * Instead the caller answers "We can't reach one of our services right now" like any failure, so
 * the person can press again. Next's own redirect and not-found signals pass through.
 */
function answeredThrow(error: unknown): Failure {
  unstable_rethrow(error);
  console.error("action failed:", loggable(error));
  return fail("unavailable");
}

/**
 * Every form action's body runs through this (see answeredThrow), with what the person typed put
 * back by `kept`, as React resets a form after its action.
 */
export function formAction<A extends unknown[], S extends FormState>(body: (...args: A) => Promise<S>, kept?: (...args: A) => Partial<S>): (...args: A) => Promise<S> {
  return async (...args) => {
    try {
      return await body(...args);
    } catch (error) {
      // S only adds optional fields to FormState (e.g. the signals a saved name sends).
      return { ...kept?.(...args), ...failed(answeredThrow(error)) } as S;
    }
  };
}

/** Every action a client component calls for a Result (ceremony options and verify, passkey edits) runs through this. */
export function resultAction<A extends unknown[], R extends { ok: boolean }>(body: (...args: A) => Promise<R>): (...args: A) => Promise<R | Failure> {
  return (...args) => answered(() => body(...args));
}

/** A lib call whose throw becomes "unavailable" (see answeredThrow). */
export async function answered<R extends { ok: boolean }>(body: () => Promise<R>): Promise<R | Failure> {
  try {
    return await body();
  } catch (error) {
    return answeredThrow(error);
  }
}

/**
 * The id Next gave a server action, for a page to post a plain form to it (React's server
 * reference carries it as `$$id`; a form React renders itself gets it as a hidden field).
 */
export function actionIdOf(action: unknown): string {
  const id = (action as { $$id?: unknown }).$$id;
  if (typeof id !== "string") throw new Error("not a server action");
  return id;
}
