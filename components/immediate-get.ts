"use client";

import {
  WebAuthnAbortService,
  base64URLStringToBuffer,
  bufferToBase64URLString,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/browser";

type JSONParsing = { parseRequestOptionsFromJSON?: (options: PublicKeyCredentialRequestOptionsJSON) => PublicKeyCredentialRequestOptions };
type Serializable = PublicKeyCredential & { toJSON?: () => unknown };

/**
 * A passkey request in the browser's immediate UI mode: its account chooser opens at once if this
 * device has a passkey for the site, and otherwise the request fails at once with NotAllowedError,
 * showing nothing (so the caller can take another way in). @simplewebauthn/browser can't pass it
 * yet, so this calls the browser itself and returns what startAuthentication would. Chromium takes
 * it as `uiMode: "immediate"` (the explainer's `mediation: "immediate"` is refused as an unknown
 * mediation value there), and refuses an allow list with it: the request is discoverable.
 */
export async function getImmediately(optionsJSON: PublicKeyCredentialRequestOptionsJSON): Promise<AuthenticationResponseJSON> {
  const json = { ...optionsJSON, allowCredentials: [] };
  const parse = (PublicKeyCredential as unknown as JSONParsing).parseRequestOptionsFromJSON;
  const publicKey = parse ? parse(json) : ({ ...json, challenge: base64URLStringToBuffer(json.challenge) } as PublicKeyCredentialRequestOptions);
  const request = { publicKey, uiMode: "immediate", signal: WebAuthnAbortService.createNewAbortSignal() };
  const credential = (await navigator.credentials.get(request as CredentialRequestOptions)) as Serializable | null;
  if (!credential) throw new Error("No passkey was returned");
  return typeof credential.toJSON === "function" ? (credential.toJSON() as AuthenticationResponseJSON) : toJSON(credential);
}

/** The JSON form of an assertion, for browsers without PublicKeyCredential.toJSON(). */
function toJSON(credential: PublicKeyCredential): AuthenticationResponseJSON {
  const response = credential.response as AuthenticatorAssertionResponse;
  return {
    id: credential.id,
    rawId: bufferToBase64URLString(credential.rawId),
    type: "public-key",
    response: {
      clientDataJSON: bufferToBase64URLString(response.clientDataJSON),
      authenticatorData: bufferToBase64URLString(response.authenticatorData),
      signature: bufferToBase64URLString(response.signature),
      userHandle: response.userHandle ? bufferToBase64URLString(response.userHandle) : undefined,
    },
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: (credential.authenticatorAttachment ?? undefined) as AuthenticationResponseJSON["authenticatorAttachment"],
  };
}
