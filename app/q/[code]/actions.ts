"use server";

import { resultAction } from "@/app/action-adapter";
import { z } from "zod";
import { SHORT_CODE_PATTERN } from "@/lib/pending-sign-in";
import { approveQrSignIn, qrApprovalOptions, refuseQrSignIn } from "@/lib/qr-sign-in";
import { fail } from "@/lib/shared/errors";

const codeSchema = z.string().regex(SHORT_CODE_PATTERN);

export const approvalOptions = resultAction(async (code: unknown) => {
  const parsed = codeSchema.safeParse(code);
  return parsed.success ? qrApprovalOptions(parsed.data) : fail("sign_in_request_expired");
});

export const approve = resultAction(async (code: unknown, response: unknown) => {
  const parsed = codeSchema.safeParse(code);
  return parsed.success ? approveQrSignIn(parsed.data, response) : fail("sign_in_request_expired");
});

export const refuse = resultAction(async (code: unknown) => {
  const parsed = codeSchema.safeParse(code);
  return parsed.success ? refuseQrSignIn(parsed.data) : fail("sign_in_request_expired");
});
