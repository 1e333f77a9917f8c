import { GeistSans } from "geist/font/sans";
import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { Suspense, type ReactNode } from "react";
import { Logo } from "@/components/logo";
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
    <html lang="en" className={GeistSans.variable}>
      <body className="flex min-h-dvh flex-col font-sans">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:rounded focus:bg-white focus:px-3 focus:py-2 dark:focus:bg-zinc-900">
          Skip to content
        </a>
        <header className="border-b border-zinc-200 bg-white/80 dark:border-zinc-800 dark:bg-zinc-900/80">
          <div className="mx-auto flex max-w-5xl items-center justify-between gap-2 px-3 py-3 sm:px-4">
            <Link href="/" className="flex min-h-11 items-center gap-2 rounded-lg text-lg font-semibold tracking-tight">
              <Logo />
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
      </body>
    </html>
  );
}
