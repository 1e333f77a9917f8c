"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { deleteAccount, nameSchema, updateName } from "@/lib/account";
import { addPasskeyOptions, addPasskeyVerify, removeAccountPasskey, renameAccountPasskey } from "@/lib/account-passkeys";
import { signOutDevice, signOutOtherDevices } from "@/lib/devices";
import { cancelEmailChange, cancelEmailRevert, emailSchema, finishEmailChange, resendEmailChange, startEmailChange } from "@/lib/email-change";
import { messageFor } from "@/lib/shared/errors";
import type { FormState } from "@/lib/shared/form-state";
import { formText } from "@/lib/form-data";
import { setPasskeyOnly } from "@/lib/passkey-only";
import { answerPasskeyOffer } from "@/lib/passkey-offer";
import { passkeyNameSchema, type Signals } from "@/lib/passkeys";
import { failed, formAction, resent, resultAction } from "@/app/action-adapter";

/**
 * The account page's actions. Each parses its input, calls one lib function (which checks the
 * session itself) and maps the result to what the page shows.
 */
const idSchema = z.string().min(1).max(2048);
const choiceSchema = z.enum(["localDevice", "remoteDevice", "securityKey"]).optional();

export const addPasskeyOptionsAction = resultAction(async (choice: unknown) => {
  const parsed = choiceSchema.safeParse(choice);
  return parsed.success ? addPasskeyOptions(parsed.data) : { ok: false as const, error: "invalid_input" as const };
});

export const addPasskeyVerifyAction = resultAction(async (response: unknown) => {
  return addPasskeyVerify(response);
});

const offerAnswerSchema = z.enum(["later", "never"]);

/** The passkey offer's "Not now" or "Don't ask on this device". */
export const answerPasskeyOfferAction = resultAction(async (answer: unknown) => {
  const parsed = offerAnswerSchema.safeParse(answer);
  return parsed.success ? answerPasskeyOffer(parsed.data) : { ok: false as const, error: "invalid_input" as const };
});

export const renamePasskeyAction = resultAction(async (passkeyId: unknown, name: unknown) => {
  const id = idSchema.safeParse(passkeyId);
  const parsed = passkeyNameSchema.safeParse(name);
  if (!id.success) return { ok: false as const, error: "invalid_input" as const };
  if (!parsed.success) return { ok: false as const, error: "invalid_input" as const, message: parsed.error.issues[0]?.message };
  return renameAccountPasskey(id.data, parsed.data);
});

export const removePasskeyAction = resultAction(async (passkeyId: unknown) => {
  const id = idSchema.safeParse(passkeyId);
  return id.success ? removeAccountPasskey(id.data) : { ok: false as const, error: "invalid_input" as const };
});

/** Signs one device out; this device's own "Sign out" ends this session. */
export const signOutDeviceAction = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const id = idSchema.safeParse(formText(formData, "sessionId"));
  if (!id.success) return { failure: "invalid_input" };
  const result = await signOutDevice(id.data);
  if (!result.ok) return { failure: result.error };
  if (result.thisDevice) redirect("/");
  return { done: `Signed out ${result.device}.` };
});

export const signOutOthersAction = formAction(async (): Promise<FormState> => {
  const result = await signOutOtherDevices();
  if (!result.ok) return { failure: result.error };
  return { done: `Signed out ${result.count} other ${result.count === 1 ? "device" : "devices"}.` };
});

export const updateNameAction = formAction(async (_prev: FormState & { signals?: Signals }, formData: FormData): Promise<FormState & { signals?: Signals }> => {
  const parsed = nameSchema.safeParse(formText(formData, "name"));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message };
  const result = await updateName(parsed.data);
  return result.ok ? { done: "Name saved.", signals: result.signals } : { failure: result.error };
});

export const startEmailChangeAction = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const parsed = emailSchema.safeParse(formText(formData, "email"));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message };
  const started = await startEmailChange(parsed.data);
  if (!started.ok) return { failure: started.error };
  redirect("/account#email");
});

export const submitEmailChangeCode = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const result = await finishEmailChange("code", formText(formData, "code"));
  if (!result.ok) return failed(result);
  redirect("/account?notice=email-changed#email");
});

export const resendEmailChangeCode = formAction(async (): Promise<FormState> => resent(await resendEmailChange()));

export async function cancelEmailChangeAction(): Promise<void> {
  await cancelEmailChange();
  redirect("/account#email");
}

/** "I made this change": the old address's undo link stops working. */
export const cancelEmailRevertAction = formAction(async (): Promise<FormState> => {
  const result = await cancelEmailRevert();
  return result.ok ? { done: `${result.from} can no longer undo the change.` } : { failure: result.error };
});

/** Deletes the account after a typed confirmation; the home page then tells the browser's passkey manager. */
export const deleteAccountAction = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const result = await deleteAccount(formText(formData, "confirm"));
  if (!result.ok) return result.message ? { error: result.message } : { failure: result.error, error: messageFor(result.error) };
  redirect("/?deleted=1");
});

/** Passkey-only sign-in on or off. */
export const setPasskeyOnlyAction = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const on = z.enum(["on", "off"]).safeParse(formText(formData, "mode"));
  if (!on.success) return { failure: "invalid_input" };
  const result = await setPasskeyOnly(on.data === "on");
  if (!result.ok) return { failure: result.error };
  return { done: result.on ? "Passkey-only sign-in is on." : "Sign-in by email is back on." };
});
