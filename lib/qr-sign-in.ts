import "server-only";
import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import QRCode from "qrcode";
import { eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { passkeys, users, type User } from "@/db/schema";
import { recordActivity } from "./activity";
import { getConfig } from "./env";
import { approvePendingSignIn, askerPendingId, claimPendingSignIn, peekPendingSignIn, pendingSignInStatus, refusePendingSignIn, requestingBrowser, startPendingSignIn } from "./pending-sign-in";
import { clientKey, hit } from "./rate-limit";
import { requireSession } from "./session";
import { fail, type Result } from "./shared/errors";
import type { PendingStatus } from "./shared/pending";
import { completeSignIn, rememberedUser, typedIdentifier } from "./sign-in";
import { findUserByIdentifier } from "./users";
import { authenticationOptions, verifyAuthentication } from "./webauthn";

/**
 * "Sign in with your phone": a signed-out browser (the asker) shows a QR code and its short URL,
 * /q/<code>; a device signed in to the account opens it and approves with a fresh passkey
 * ceremony with user verification (never its cookie alone); the asker then signs in as with that
 * passkey (lib/pending-sign-in.ts holds the request). A GET of /q/<code> changes nothing.
 */
export const QR_TTL_SECONDS = 2 * 60;
/** Stands for a typed name that matches no account: no device can approve it, and the asker can't tell. */
const NO_ACCOUNT = "none";

/**
 * Starts a request for the account this browser names (the name typed with it, else the
 * remembered or typed one of step 2), or for whichever account approves when it names none.
 */
export async function startQrSignIn(identifier?: string): Promise<Result<{ url: string; svg: string; expiresAt: number }>> {
  if (!(await hit("qrPerClient", await clientKey()))) return fail("rate_limited");
  const userId = identifier ? ((await findUserByIdentifier(identifier))?.id ?? NO_ACCOUNT) : await namedAccount();
  const { code, expiresAt } = await startPendingSignIn("qr", { userId, requestedBy: await requestingBrowser() }, QR_TTL_SECONDS);
  const url = new URL(`/q/${code}`, getConfig().appUrl).href;
  // Colours fixed to black on white: scanners want dark on light, whatever the page's theme.
  const svg = await QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 2, color: { dark: "#000000", light: "#ffffff" } });
  return { ok: true, url, svg, expiresAt };
}

async function namedAccount(): Promise<string | null> {
  const remembered = await rememberedUser();
  if (remembered) return remembered.id;
  const typed = await typedIdentifier();
  return typed ? ((await findUserByIdentifier(typed))?.id ?? NO_ACCOUNT) : null;
}

/** The asker's poll. */
export async function qrSignInStatus(): Promise<PendingStatus> {
  return pendingSignInStatus("qr", await askerPendingId("qr"));
}

/**
 * The asker collects the approval and is signed in as that passkey's sign-in (vouched by it, held
 * if it is held), like an email approval (email-sign-in.ts claimSignInApproval).
 */
export async function claimQrSignIn(): Promise<Result> {
  const claimed = await claimPendingSignIn("qr", await askerPendingId("qr"));
  if (!claimed.ok) return claimed;
  const { userId, passkeyId } = claimed.approval;
  if (!passkeyId) return fail("sign_in_request_expired");
  const db = await getDb();
  const [row] = await db.select({ passkey: passkeys, user: users }).from(passkeys).innerJoin(users, eq(users.id, passkeys.userId)).where(eq(passkeys.id, passkeyId));
  // The passkey was removed between approval and claim: it vouches for nothing anymore.
  if (!row || row.user.id !== userId) return fail("sign_in_request_expired");
  // The passkey was on another device: this browser may be offered one of its own (passkey-offer.ts).
  await completeSignIn(row.user, { method: "passkey", passkeyId, passkeyHeldUntil: row.passkey.heldUntil, use: "other-device" });
  return { ok: true };
}

/** What /q/<code> shows. Only a device signed in to the account asked for learns anything about the request. */
export type QrApprovalView =
  | { state: "signed-out" }
  | { state: "expired" }
  | { state: "other-account" }
  | { state: "ready"; requestedBy: string; createdAt: number; expiresAt: number };

/** A read only: opening the link (a scanner, a prefetch) changes nothing. */
export async function qrApprovalView(code: string): Promise<QrApprovalView> {
  const guard = await requireSession();
  if (!guard.ok) return { state: "signed-out" };
  const request = await peekPendingSignIn("qr", code);
  if (!request) return { state: "expired" };
  if (!approvableBy(request.userId, guard.current.user)) return { state: "other-account" };
  return { state: "ready", requestedBy: request.requestedBy, createdAt: request.createdAt, expiresAt: request.expiresAt };
}

function approvableBy(requestUserId: string | null, user: User): boolean {
  return requestUserId === null || requestUserId === user.id;
}

/** Step 1 of approving: a challenge for one of the signed-in account's passkeys, user verification required. */
export async function qrApprovalOptions(code: string): Promise<Result<{ options: PublicKeyCredentialRequestOptionsJSON }>> {
  const guard = await requireSession();
  if (!guard.ok) return guard;
  const { user } = guard.current;
  if (!(await hit("qrApprovalPerClient", await clientKey())) || !(await hit("qrApprovalPerAccount", user.id))) return fail("rate_limited");
  const request = await peekPendingSignIn("qr", code);
  if (!request) return fail("sign_in_request_expired");
  if (!approvableBy(request.userId, user)) return fail("not_this_account");
  return { ok: true, options: await authenticationOptions({ purpose: "confirm", user }) };
}

/** Step 2: the assertion must verify, with user verification, for a passkey of this account. */
export async function approveQrSignIn(code: string, response: unknown): Promise<Result> {
  const guard = await requireSession();
  if (!guard.ok) return guard;
  const { user } = guard.current;
  const verified = await verifyAuthentication(response, { purpose: "confirm", userId: user.id });
  if (!verified.ok) return fail(verified.error === "unknown_passkey" ? "signin_failed" : verified.error);
  const request = await peekPendingSignIn("qr", code);
  const approved = await approvePendingSignIn("qr", code, { userId: user.id, method: "passkey", passkeyId: verified.passkey.id });
  if (!approved.ok) return approved;
  await recordActivity(user.id, "qr_approved", { passkey: verified.passkey.name, device: request?.requestedBy ?? "" });
  return { ok: true };
}

/**
 * "Not me": the signed-in owner turns a request down (a code someone else sent them, say), and
 * the asking tab says so. No ceremony needed: refusing only ever takes a way in away.
 */
export async function refuseQrSignIn(code: string): Promise<Result> {
  const guard = await requireSession();
  if (!guard.ok) return guard;
  const request = await peekPendingSignIn("qr", code);
  if (!request) return fail("sign_in_request_expired");
  if (!approvableBy(request.userId, guard.current.user)) return fail("not_this_account");
  return (await refusePendingSignIn("qr", code)) ? { ok: true } : fail("sign_in_request_expired");
}
