import type { ReactNode } from "react";

/** A titled panel of the account page. */
export function Section({ id, title, description, children }: { id?: string; title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <section id={id} aria-labelledby={id ? `${id}-title` : undefined} className="scroll-mt-6 rounded-2xl border border-zinc-200 bg-white p-5 shadow-sm sm:p-6 dark:border-zinc-800 dark:bg-zinc-900">
      <h2 id={id ? `${id}-title` : undefined} className="text-lg font-semibold">
        {title}
      </h2>
      {description && <div className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{description}</div>}
      <div className="mt-4 flex flex-col gap-4">{children}</div>
    </section>
  );
}
