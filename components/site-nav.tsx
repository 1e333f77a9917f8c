import Link from "next/link";
import { getCurrentSession } from "@/lib/session";
import { buttonClass } from "./button-styles";
import { SignOutButton } from "./sign-out-button";

const linkStyle = "inline-flex min-h-11 items-center whitespace-nowrap rounded-lg px-2 text-sm font-medium text-zinc-700 sm:px-3 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-zinc-100";

export async function SiteNav() {
  // The header must not take a page down with it: on a backend error, show the anonymous links.
  const current = await getCurrentSession().catch(() => null);
  if (!current) {
    return (
      <nav aria-label="Account" className="flex items-center gap-1">
        <Link href="/login" className={linkStyle}>
          Sign in
        </Link>
        <Link href="/signup" className={buttonClass("primary", "small")}>
          Sign up
        </Link>
      </nav>
    );
  }
  return (
    <nav aria-label="Account" className="flex items-center gap-1">
      <Link href="/account" className={linkStyle}>
        <span className="sm:hidden">Account</span>
        <span className="hidden max-w-48 truncate sm:inline">{current.user.username}</span>
      </Link>
      <SignOutButton />
    </nav>
  );
}
