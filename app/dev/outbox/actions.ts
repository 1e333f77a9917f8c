"use server";

import { revalidatePath } from "next/cache";
import { notFound } from "next/navigation";
import { recordDelivery } from "@/lib/delivery";
import { formText } from "@/lib/form-data";
import { listOutbox, usesOutbox } from "@/lib/mail";

/**
 * The embedded stand-in for Resend's bounce webhook: marks a message's address undeliverable, as
 * a signed `email.bounced` event would (a POST; the outbox page itself changes nothing).
 */
export async function markBounced(formData: FormData): Promise<void> {
  if (!usesOutbox()) notFound();
  const message = listOutbox().find((m) => m.id === formText(formData, "id"));
  if (!message) return;
  await recordDelivery(message.to, "bounced");
  revalidatePath("/dev/outbox");
}
