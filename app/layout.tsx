import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { Suspense, type ReactNode } from "react";
import { SiteNav } from "@/components/site-nav";
import { ToastProvider } from "@/components/toast";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Passwordless", template: "%s · Passwordless" },
  description: "Sign in with a passkey. No passwords to remember, steal or reset.",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#fafafa" },
    { media: "(prefers-color-scheme: dark)", color: "#09090b" },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="flex min-h-dvh flex-col font-sans">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:rounded focus:bg-white focus:px-3 focus:py-2 dark:focus:bg-zinc-900">
          Skip to content
        </a>
        <header className="border-b border-zinc-200 bg-white/80 dark:border-zinc-800 dark:bg-zinc-900/80">
          <div className="mx-auto flex max-w-5xl items-center justify-between gap-2 px-3 py-3 sm:px-4">
            <Link href="/" className="flex min-h-11 items-center gap-2 text-lg font-bold tracking-tight">
              <span aria-hidden className="grid size-7 place-items-center rounded-lg bg-accent text-sm text-accent-fg dark:bg-indigo-400 dark:text-zinc-950">
                P
              </span>
              Passwordless
            </Link>
            <Suspense fallback={null}>
              <SiteNav />
            </Suspense>
          </div>
        </header>
        <main id="main" className="flex flex-1 flex-col px-4 py-8 sm:py-12">
          <ToastProvider>{children}</ToastProvider>
        </main>
        <footer className="border-t border-zinc-200 px-4 py-6 text-center text-sm text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
          Passkeys first. Email on a new device. No passwords.
        </footer>
      </body>
    </html>
  );
}
