"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import type { TokenState } from "@/components/confirm-token-form";
import { revertEmailChange } from "@/lib/email-change";
import { describeFailure } from "@/lib/shared/errors";
import { formText } from "@/lib/form-data";

const idSchema = z.string().max(64);

/** "Put my address back": only this press spends the link. */
export async function revertAction(_prev: TokenState, formData: FormData): Promise<TokenState> {
  const id = idSchema.safeParse(formText(formData, "id"));
  if (!id.success) return { error: "That link isn't valid anymore.", restart: true };
  const result = await revertEmailChange(id.data, formText(formData, "token"));
  if (!result.ok) return { error: describeFailure(result), restart: true };
  redirect("/recover/done");
}
