"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { formText } from "@/lib/form-data";
import { claimQrSignIn, qrSignInStatus, startQrSignIn } from "@/lib/qr-sign-in";
import type { Result } from "@/lib/shared/errors";
import type { FormState } from "@/lib/shared/form-state";
import type { PendingStatus } from "@/lib/shared/pending";
import { safeNextPath } from "@/lib/safe-next";
import { MAX_IDENTIFIER_LENGTH } from "@/lib/sign-in";
import { formAction, resultAction } from "@/app/action-adapter";

/** The QR code on show, or why there is none. A new code each press. */
export type QrState = FormState & { shown?: { url: string; svg: string; expiresAt: number } };

const identifierSchema = z.string().trim().max(MAX_IDENTIFIER_LENGTH).optional();

/** "Sign in with your phone": a POST, so crawlers and prefetches make no requests. */
export const showQrCode = formAction(async (_prev: QrState, formData: FormData): Promise<QrState> => {
  const parsed = identifierSchema.safeParse(formText(formData, "identifier"));
  if (!parsed.success) return { failure: "invalid_input" };
  const started = await startQrSignIn(parsed.data || undefined);
  if (!started.ok) return { failure: started.error };
  return { shown: { url: started.url, svg: started.svg, expiresAt: started.expiresAt } };
});

export async function qrStatus(): Promise<PendingStatus> {
  return qrSignInStatus();
}

/** Collects the approval: signs this browser in, then goes on (as claimApprovalAction). */
export const qrClaim = resultAction(async (nextPath: unknown): Promise<Result> => {
  const claimed = await claimQrSignIn();
  if (claimed.ok) redirect(safeNextPath(nextPath));
  return claimed;
});
