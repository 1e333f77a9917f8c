import type { ErrorCode } from "./errors";

/**
 * What every form action hands back to its form (useActionState's state), one shape for all:
 * something done (and what to say), or a failure: its code, for the form to act on (a "confirm
 * it's you" link, say), and its words; `restart` when only starting over helps.
 */
export type FormState = {
  done?: string;
  failure?: ErrorCode;
  error?: string;
  restart?: boolean;
  /** What was typed, put back into the field. */
  value?: string;
};

/** The message a field shows: a validation one; a failure's is shown beside the form instead. */
export function fieldError(state: FormState): string | undefined {
  return state.failure ? undefined : state.error;
}
