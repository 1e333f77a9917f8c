import type { ReactNode } from "react";

/** A titled panel of the account page. `danger`: what can't be undone is set apart by a red edge and title. */
export function Section({ id, title, description, danger = false, children }: { id?: string; title: string; description?: ReactNode; danger?: boolean; children: ReactNode }) {
  return (
    <section
      id={id}
      aria-labelledby={id ? `${id}-title` : undefined}
      className={`scroll-mt-6 rounded-2xl border bg-white p-5 shadow-sm sm:p-6 dark:bg-zinc-900 ${danger ? "border-red-200 dark:border-red-900" : "border-zinc-200 dark:border-zinc-800"}`}
    >
      <h2 id={id ? `${id}-title` : undefined} className={`text-lg font-semibold ${danger ? "text-red-800 dark:text-red-300" : ""}`}>
        {title}
      </h2>
      {description && <div className="mt-1 text-zinc-600 dark:text-zinc-400">{description}</div>}
      <div className="mt-4 flex flex-col gap-4">{children}</div>
    </section>
  );
}
