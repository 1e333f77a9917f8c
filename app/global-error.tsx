"use client";

import "./globals.css";

export default function GlobalError({ retry }: { error: Error & { digest?: string }; reset: () => void; retry: () => void }) {
  return (
    <html lang="en">
      <body className="grid min-h-dvh place-items-center p-4 font-sans">
        <main className="max-w-md text-center">
          <h1 className="text-2xl font-semibold tracking-tight">Something went wrong on our side</h1>
          <p className="mt-2">Nothing was changed. Please try again in a moment.</p>
          {/* retry, not reset: fetch the page from the server again. */}
          <button onClick={() => retry()} className="mt-6 min-h-11 rounded-lg bg-accent px-4 font-medium text-accent-fg">
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
