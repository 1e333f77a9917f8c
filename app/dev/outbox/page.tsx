import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { listOutbox, usesOutbox } from "@/lib/mail";
import { markBounced } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Dev outbox", robots: { index: false } };

/**
 * Mail the embedded mode "sent", newest first, as the recipient would see it (links work), with
 * the plain-text part beside it; `?to=` narrows it to one address. A 404 unless the outbox is on (see lib/env.ts: always in
 * development, in a production start only with DEV_OUTBOX=1).
 */
export default async function OutboxPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (!usesOutbox()) notFound();
  // ?to=<address>: only that address's mail (what the e2e suite reads, and a shorter page).
  const { to } = await searchParams;
  const messages = typeof to === "string" ? listOutbox().filter((m) => m.to.toLowerCase() === to.trim().toLowerCase()) : listOutbox();
  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Dev outbox</h1>
        <p className="mt-1 text-zinc-600 dark:text-zinc-400">Email isn&apos;t configured (RESEND_API_KEY is unset), so messages land here and in the server console.</p>
      </div>
      {messages.length === 0 && <p>No messages yet.</p>}
      <ol className="flex flex-col gap-4">
        {messages.map((m) => (
          <li key={m.id}>
            <article data-to={m.to} aria-label={`${m.subject} to ${m.to}`} className="rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
              <h2 className="font-semibold">{m.subject}</h2>
              <p className="text-sm text-zinc-600 dark:text-zinc-400">
                To <span data-field="to">{m.to}</span> · <time dateTime={m.sentAt.toISOString()}>{m.sentAt.toLocaleString("en")}</time>
              </p>
              {/* The app's own template, every value in it escaped (lib/emails.ts). */}
              <div className="mt-3 overflow-x-auto rounded-lg border border-zinc-100 p-3 dark:border-zinc-800 [&_a]:break-all" dangerouslySetInnerHTML={{ __html: m.html }} />
              <form action={markBounced} className="mt-3">
                <input type="hidden" name="id" value={m.id} />
                <button type="submit" className="text-sm font-medium text-indigo-700 underline dark:text-indigo-300">
                  Mark bounced
                </button>
              </form>
              <details className="mt-3 text-sm">
                <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">Plain-text part</summary>
                <pre data-field="text" className="mt-2 overflow-x-auto whitespace-pre-wrap break-all">
                  {m.text}
                </pre>
              </details>
            </article>
          </li>
        ))}
      </ol>
    </div>
  );
}
