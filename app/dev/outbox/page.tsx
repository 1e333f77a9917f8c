import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { listOutbox, usesOutbox } from "@/lib/mail";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Dev outbox", robots: { index: false } };

/** Mail the embedded mode "sent", newest first. A 404 whenever real mail is configured. */
export default function OutboxPage() {
  if (!usesOutbox()) notFound();
  const messages = listOutbox();
  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-6">
      <div>
        <h1 className="text-2xl font-bold tracking-tight">Dev outbox</h1>
        <p className="mt-1 text-zinc-600 dark:text-zinc-400">
          Email isn&apos;t configured (RESEND_API_KEY is unset), so messages land here and in the server console.
        </p>
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
              <pre data-field="text" className="mt-3 overflow-x-auto whitespace-pre-wrap break-all text-sm">
                {m.text}
              </pre>
            </article>
          </li>
        ))}
      </ol>
    </div>
  );
}
