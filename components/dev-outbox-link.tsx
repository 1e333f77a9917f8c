import Link from "next/link";
import { usesOutbox } from "@/lib/mail";

/** While mail lands in the dev outbox, the pages that send it point there. */
export function DevOutboxLink() {
  if (!usesOutbox()) return null;
  return (
    <p className="rounded-lg border border-dashed border-amber-400 px-3 py-2 text-sm text-amber-950 dark:border-amber-600 dark:text-amber-100">
      Development: mail isn&apos;t sent. Read it in the{" "}
      <Link href="/dev/outbox" target="_blank" className="font-medium underline">
        dev outbox
      </Link>
      .
    </p>
  );
}
