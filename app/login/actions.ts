"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { requestSignInEmail } from "@/lib/email-sign-in";
import { formText, jsonField } from "@/lib/form-data";
import type { FormState } from "@/lib/shared/form-state";
import { safeNextPath } from "@/lib/safe-next";
import { answered, formAction, resultAction } from "@/app/action-adapter";
import { MAX_IDENTIFIER_LENGTH, forgetSignInName, passkeySignInOptions, rememberedUser, setTypedIdentifier, typedIdentifier, signInWithPasskey } from "@/lib/sign-in";

const identifierSchema = z.string().trim().min(1, "Enter your username or email.").max(MAX_IDENTIFIER_LENGTH, "That's too long for a username or email.");
const modeSchema = z.enum(["discoverable", "identified"]);

/** Where to go with `next` carried along (only ever a same-site path). */
function withNext(path: string, next: unknown): string {
  const safe = safeNextPath(next, "");
  return safe ? `${path}?next=${encodeURIComponent(safe)}` : path;
}

/** What was typed, put back in the field after a failure. */
const keepTyped = (_prev: FormState, formData: FormData): FormState => ({ value: formText(formData, "identifier").slice(0, MAX_IDENTIFIER_LENGTH) });

/** Step 1, "Continue": remember what was typed; step 2 looks the same whether or not it exists. */
export const continueWithIdentifier = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const raw = formText(formData, "identifier");
  const parsed = identifierSchema.safeParse(raw);
  if (!parsed.success) return { error: parsed.error.issues[0]?.message, value: raw.slice(0, MAX_IDENTIFIER_LENGTH) };
  await setTypedIdentifier(parsed.data);
  redirect(withNext("/login", formText(formData, "next")));
}, keepTyped);

/** Step 1, "Email me a sign-in link": for the name typed in the same field. */
export const emailLinkForTyped = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const raw = formText(formData, "identifier");
  const parsed = identifierSchema.safeParse(raw);
  if (!parsed.success) return { error: parsed.error.issues[0]?.message, value: raw.slice(0, MAX_IDENTIFIER_LENGTH) };
  const requested = await requestSignInEmail(parsed.data);
  if (!requested.ok) return { failure: requested.error, value: raw };
  redirect(withNext("/login/code", formText(formData, "next")));
}, keepTyped);

/** Step 2, "Email me a sign-in link": for the remembered or typed name. */
export const emailLinkForGreeted = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const identifier = (await rememberedUser())?.username ?? (await typedIdentifier());
  if (!identifier) redirect(withNext("/login", formText(formData, "next")));
  const requested = await requestSignInEmail(identifier);
  if (!requested.ok) return { failure: requested.error };
  redirect(withNext("/login/code", formText(formData, "next")));
});

/** Forget the remembered user and the typed name; back to step 1. */
export async function switchUser(formData: FormData): Promise<void> {
  await forgetSignInName();
  redirect(withNext("/login", formText(formData, "next")));
}

/** Options for a passkey sign-in. Sets no cookie, so Next re-renders nothing. */
export const passkeyOptions = resultAction(async (mode: unknown) => {
  const parsed = modeSchema.safeParse(mode);
  if (!parsed.success) return { ok: false as const, error: "invalid_input" as const };
  return passkeySignInOptions(parsed.data);
});

/**
 * The passkey sign-in in one request: the page posts the browser's assertion as a plain form (not
 * the router's fetch), so a success answers with a bare 303 to `next` carrying the session cookie.
 * (A fetched action that sets a cookie or redirects makes Next render a page into its answer.)
 * A failure goes back to the sign-in page, which shows it.
 */
export async function passkeySignIn(formData: FormData): Promise<never> {
  const next = safeNextPath(formText(formData, "next"));
  const signedIn = await answered(() => signInWithPasskey(jsonField(formData, "response")));
  if (signedIn.ok) redirect(next);
  const back = new URLSearchParams({ passkey_error: signedIn.error });
  if (next !== "/account") back.set("next", next);
  if ("unknownCredentialId" in signedIn && signedIn.unknownCredentialId) back.set("credential", signedIn.unknownCredentialId);
  redirect(`/login?${back}`);
}
