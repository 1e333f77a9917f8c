import "server-only";
import { sealedCookie } from "./cookies";

/**
 * Ids of this browser's flows in progress, in a sealed httpOnly cookie. The values they point at
 * (challenges, pending sign-ups) live in the ephemeral store, never in the cookie.
 */
export type Flow = {
  /** Pending sign-up id. */
  signupId: string;
  /** Registration ceremony in progress. */
  regFlowId: string;
  /** Authentication ceremony in progress. */
  authFlowId: string;
  /** What the person typed at the first step of username-first sign-in. */
  loginIdentifier: string;
  /** Email sign-in request this browser asked for (the link and code work only here). */
  emailSignInId: string;
  /** What that request was for, as typed (echoed back, never looked up). */
  emailSignInFor: string;
  /** Pending email change (the new address's code and link work only here). */
  emailChangeId: string;
  /** "Confirm it's you" code request for the signed-in account. */
  reauthEmailId: string;
  /** WebAuthn user handle of the account just deleted here, for the Signal API on the next page. */
  deletedUserHandle: string;
};

const FLOW_TTL_SECONDS = 60 * 60;

export function flowCookie() {
  return sealedCookie<Flow>("flow", FLOW_TTL_SECONDS);
}

/** Remembered user: lets the sign-in page greet the person and skip the first step. */
export type RememberedUser = { userId: string; username: string };

export const REMEMBER_TTL_SECONDS = 30 * 24 * 60 * 60;

export function rememberCookie() {
  return sealedCookie<RememberedUser>("remember", REMEMBER_TTL_SECONDS);
}
