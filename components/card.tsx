import type { ReactNode } from "react";

/** The page's main panel: a titled card, centered, full width on phones. */
export function Card({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <section className="mx-auto w-full max-w-md rounded-2xl border border-zinc-200 bg-white p-6 shadow-sm sm:p-8 dark:border-zinc-800 dark:bg-zinc-900">
      <h1 className="text-2xl font-semibold tracking-tight [overflow-wrap:anywhere]">{title}</h1>
      {description && <div className="mt-2 text-zinc-600 dark:text-zinc-400">{description}</div>}
      <div className="mt-6 flex flex-col gap-4">{children}</div>
    </section>
  );
}
