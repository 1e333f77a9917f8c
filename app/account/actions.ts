"use server";

import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import { eq } from "drizzle-orm";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { sessions } from "@/db/schema";
import { messageFor } from "@/lib/errors";
import { flowCookie } from "@/lib/flow";
import { beginRegistration, finishRegistration } from "@/lib/passkeys";
import { endSession, getCurrentSession, isFresh } from "@/lib/session";

/** POST only (a server action): a link or prefetch can never sign anyone out. */
export async function signOut(): Promise<void> {
  await endSession();
  redirect("/");
}

export type AddPasskeyOptions = { ok: true; options: PublicKeyCredentialCreationOptionsJSON } | { ok: false; error: string; reauth?: boolean };

/** Options for another passkey. Needs a sign-in from the last 10 minutes. */
export async function addPasskeyOptions(): Promise<AddPasskeyOptions> {
  const current = await getCurrentSession();
  if (!current) return { ok: false, error: messageFor("not_signed_in"), reauth: true };
  if (!isFresh(current.session)) return { ok: false, error: messageFor("reauth_required"), reauth: true };
  const begun = await beginRegistration(current.user);
  if (!begun.ok) return { ok: false, error: messageFor(begun.error) };
  const flow = await flowCookie();
  flow.regFlowId = begun.flowId;
  await flow.save();
  return { ok: true, options: begun.options };
}

export type AddPasskeyResult = { ok: true } | { ok: false; error: string; reauth?: boolean };

/** Stores the new passkey; it becomes this session's passkey ("this device"). */
export async function addPasskeyVerify(response: unknown): Promise<AddPasskeyResult> {
  const current = await getCurrentSession();
  if (!current) return { ok: false, error: messageFor("not_signed_in"), reauth: true };
  const flow = await flowCookie();
  const result = await finishRegistration(flow.regFlowId, current.user.id, response);
  flow.regFlowId = undefined;
  await flow.save();
  if (!result.ok) return { ok: false, error: messageFor(result.error) };
  const db = await getDb();
  await db.update(sessions).set({ passkeyId: result.passkey.id }).where(eq(sessions.id, current.session.id));
  return { ok: true };
}
