import { WebAuthnError } from "@simplewebauthn/browser";

/** True when our own code cancelled the ceremony (e.g. autofill giving way to the button). */
export function isAbort(error: unknown): boolean {
  return error instanceof WebAuthnError && error.code === "ERROR_CEREMONY_ABORTED";
}

/** Human copy with a next step for whatever the browser's passkey prompt threw. */
export function describePasskeyError(error: unknown, ceremony: "create" | "get"): string {
  const code = error instanceof WebAuthnError ? error.code : undefined;
  const name = error instanceof Error ? error.name : undefined;
  if (code === "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED" || name === "InvalidStateError") {
    return "This device already has a passkey for this account. Use it to sign in, or choose another device.";
  }
  if (name === "NotAllowedError") {
    return ceremony === "create"
      ? "The passkey wasn't created: the prompt was closed, timed out, or couldn't verify it's you. Try again when you're ready."
      : "No passkey was used: the prompt was closed, timed out, or no passkey for this site is on this device. Try again, or email yourself a sign-in link.";
  }
  if (code === "ERROR_INVALID_DOMAIN" || code === "ERROR_INVALID_RP_ID" || name === "SecurityError") {
    return "Passkeys can't be used at this address. Open the site from its usual address and try again.";
  }
  if (code === "ERROR_AUTHENTICATOR_NO_SUPPORTED_PUBKEYCREDPARAMS_ALG" || name === "NotSupportedError") {
    return "This device can't create a suitable passkey. Try another device, such as your phone.";
  }
  return "Something went wrong with the passkey prompt. Please try again.";
}
