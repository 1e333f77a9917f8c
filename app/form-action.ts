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
 * Every form action's body runs through this. A body that throws (PostgreSQL or Redis out of
 * reach) answers the form "We can't reach one of our services right now" like any failure, where
 * Next.js would answer a digest-only 500 and swap the page for the error page; the form stays, so
 * the person can press again, with what they typed put back by `kept` (React resets a form after
 * its action). Next's own redirect and not-found signals pass through.
 */
export function formAction<A extends unknown[], S extends FormState>(body: (...args: A) => Promise<S>, kept?: (...args: A) => Partial<S>): (...args: A) => Promise<S> {
  return async (...args) => {
    try {
      return await body(...args);
    } catch (error) {
      unstable_rethrow(error);
      console.error("form action failed:", error instanceof Error ? error.message : error);
      // S only adds optional fields to FormState (e.g. the signals a saved name sends).
      return { ...kept?.(...args), ...failed(fail("unavailable")) } as S;
    }
  };
}
