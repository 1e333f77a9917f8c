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
