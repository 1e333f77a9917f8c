"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { revertEmailChange } from "@/lib/email-change";
import { formText } from "@/lib/form-data";
import type { FormState } from "@/lib/shared/form-state";
import { failed, formAction } from "@/app/action-adapter";

const idSchema = z.string().max(64);

/** "Put my address back": only this press spends the link. */
export const revertAction = formAction(async (_prev: FormState, formData: FormData): Promise<FormState> => {
  const id = idSchema.safeParse(formText(formData, "id"));
  if (!id.success) return { error: "That link isn't valid anymore.", restart: true };
  const result = await revertEmailChange(id.data, formText(formData, "token"));
  if (!result.ok) return failed(result, { restart: true });
  redirect("/recover/done");
});
