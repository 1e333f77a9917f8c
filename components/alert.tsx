import type { ReactNode } from "react";

type Tone = "error" | "success" | "info";

const tones: Record<Tone, string> = {
  error: "border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100",
  success: "border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100",
  info: "border-indigo-200 bg-indigo-50 text-indigo-950 dark:border-indigo-800 dark:bg-indigo-950 dark:text-indigo-100",
};

/** An inline message announced to screen readers (errors assertively, the rest politely). */
export function Alert({ tone = "info", children }: { tone?: Tone; children: ReactNode }) {
  return (
    <div role={tone === "error" ? "alert" : "status"} className={`rounded-lg border px-4 py-3 text-sm ${tones[tone]}`}>
      {children}
    </div>
  );
}

/** Keeps a live region in the page so a message that appears later is announced. */
export function LiveMessage({ tone = "error", message }: { tone?: Tone; message?: string | null }) {
  return (
    <div aria-live={tone === "error" ? "assertive" : "polite"} className="empty:hidden">
      {message ? <Alert tone={tone}>{message}</Alert> : null}
    </div>
  );
}
