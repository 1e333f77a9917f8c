/**
 * Every error a person can see, as a code with its message in one place.
 * No raw exception text ever reaches a page.
 */
export const messages = {
  invalid_input: "Something in that request wasn't right. Please try again.",
  username_taken: "That username is taken. Try another.",
  email_taken: "An account already uses that email address. Sign in instead.",
  signup_expired: "That sign-up has expired. Please start again.",
  wrong_code: "That code isn't right. Check the email and try again.",
  code_format: "Enter the 6-digit code from the email.",
  too_many_attempts: "Too many wrong codes. Please start again.",
  codes_paused: "Too many wrong codes were tried for this account today, so codes are paused. Use the link in the email instead.",
  still_checking: "That's still being checked from an earlier press. Wait a moment, then try again.",
  email_signin_expired: "That sign-in request has expired or was already used. Ask for a new link.",
  link_invalid: "That link isn't valid anymore. Ask for a new one, or type the code from the newest email.",
  report_needs_passkey: "That device is already signed out. To remove the passkeys it added, sign in here with a passkey you had before it signed in, then press again.",
  revert_cancel_needs_passkey: "Only a device signed in with a passkey you already had can keep this change: confirm it's you with a passkey first.",
  reauth_expired: "That code has expired or was already used. Ask for a new one.",
  email_change_expired: "That email change has expired or was already used. Please start again.",
  email_unchanged: "That's already your email address.",
  rate_limited: "Too many attempts. Please wait a few minutes and try again.",
  email_rate_limited: "Too many sign-in emails were asked for with this name or address in the last 15 minutes. If an account exists, use the newest email we sent, or try again later.",
  challenge_expired: "That took too long. Please try again.",
  passkey_failed: "We couldn't verify that passkey. Please try again.",
  passkey_exists: "That passkey is already registered. Sign in with it instead.",
  passkey_not_found: "That passkey isn't on your account anymore. Reload the page to see the current list.",
  passkey_limit: "You have reached the limit of 10 passkeys. Remove one to add another.",
  signin_failed: "That passkey didn't work for this account. Try another passkey, or email yourself a sign-in link.",
  unknown_passkey: "This passkey isn't registered here anymore, so it can't sign you in. Remove it from your passkey manager, then try another passkey or email yourself a sign-in link.",
  device_not_found: "That device is already signed out. Reload the page to see the current list.",
  on_hold: "This device signed in by email less than 24 hours ago, so it can't do that yet. Confirm it's you with a passkey you already had to lift the hold, or wait until it ends.",
  passkey_only: "This account signs in with passkeys only, so we can't confirm it's you by email. Use one of your passkeys.",
  passkey_only_needs_two: "Add a second passkey first: with passkey-only sign-in, losing your only passkey would lock you out.",
  passkey_only_minimum: "Passkey-only sign-in needs at least two passkeys. Add another one, or turn passkey-only sign-in off, before removing this one.",
  not_signed_in: "Please sign in to continue.",
  reauth_required: "For your security, please sign in again to do that.",
  sign_in_request_expired: "That sign-in request has expired or was already answered. Start again on the device that's asking.",
  not_this_account: "This device is signed in to a different account than the one asking to sign in. Sign in here to that account, or start again.",
  unavailable: "We can't reach one of our services right now. Please try again in a moment.",
  // What a browser's passkey prompt can end in (components/passkey-errors.ts maps them).
  prompt_closed_create: "The passkey wasn't created: the prompt was closed, timed out, or couldn't verify it's you. Try again when you're ready.",
  prompt_closed_get: "No passkey was used: the prompt was closed, timed out, or this device has no passkey for this site. Try again, or email yourself a sign-in link.",
  passkey_on_device: "This device already has a passkey for this account. Use it to sign in, or choose another device.",
  passkey_bad_address: "Passkeys can't be used at this address. Open the site from its usual address and try again.",
  passkey_unsupported: "This device can't create a suitable passkey. Try another device, such as your phone.",
  prompt_failed: "Something went wrong with the passkey prompt. Please try again.",
} as const;

export type ErrorCode = keyof typeof messages;

/**
 * Why something failed: a code from this map, how many tries are left where that helps (a wrong
 * code), and anything else one use case needs to say (`F`).
 */
export type Failure<F = object> = { ok: false; error: ErrorCode; attemptsLeft?: number } & F;

/** What every lib function that can fail returns: its data, or a Failure. */
export type Result<T = object, F = object> = ({ ok: true } & T) | Failure<F>;

export function fail(error: ErrorCode): Failure {
  return { ok: false, error };
}

export function messageFor(code: ErrorCode): string {
  return messages[code];
}

/** A failure's message, with how many tries the person has left when that helps. */
export function describeFailure(failure: Failure): string {
  const n = failure.attemptsLeft;
  return n === undefined ? messages[failure.error] : `${messages[failure.error]} ${n} ${n === 1 ? "try" : "tries"} left.`;
}
