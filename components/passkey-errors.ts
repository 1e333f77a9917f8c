import { WebAuthnError } from "@simplewebauthn/browser";
import type { ErrorCode } from "@/lib/shared/errors";

/** True when our own code cancelled the ceremony (autofill giving way to the button, say). */
export function isAbort(error: unknown): boolean {
  return (error instanceof WebAuthnError && error.code === "ERROR_CEREMONY_ABORTED") || (error instanceof Error && error.name === "AbortError");
}

/** What the browser's passkey prompt threw, as one of the app's error codes (copy in lib/shared/errors.ts). */
export function passkeyPromptError(error: unknown, ceremony: "create" | "get"): ErrorCode {
  const code = error instanceof WebAuthnError ? error.code : undefined;
  const name = error instanceof Error ? error.name : undefined;
  if (code === "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED" || name === "InvalidStateError") return "passkey_on_device";
  if (name === "NotAllowedError") return ceremony === "create" ? "prompt_closed_create" : "prompt_closed_get";
  if (code === "ERROR_INVALID_DOMAIN" || code === "ERROR_INVALID_RP_ID" || name === "SecurityError") return "passkey_bad_address";
  if (code === "ERROR_AUTHENTICATOR_NO_SUPPORTED_PUBKEYCREDPARAMS_ALG" || name === "NotSupportedError") return "passkey_unsupported";
  return "prompt_failed";
}
