import Link from "next/link";
import { Alert } from "@/components/alert";
import { deletedAccountSignal } from "@/lib/account";
import { AccountDeletedSignal } from "./account-deleted-signal";

export default async function Home({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { deleted } = await searchParams;
  const deletedSignals = deleted === "1" ? await deletedAccountSignal() : null;
  return (
    <div className="mx-auto flex w-full max-w-2xl flex-col items-center gap-8 text-center">
      {deletedSignals && (
        <>
          <Alert tone="success">Your account was deleted. Thanks for trying Passwordless.</Alert>
          <AccountDeletedSignal signals={deletedSignals} />
        </>
      )}
      <div className="flex flex-col gap-4">
        <h1 className="text-4xl font-bold tracking-tight sm:text-5xl">Sign in without a password</h1>
        <p className="text-lg text-zinc-700 dark:text-zinc-300">
          A passkey is a key your phone or computer keeps for you and unlocks with your face, fingerprint or screen lock.
          It only works on this site, so it can&apos;t be phished, guessed or leaked.
        </p>
      </div>
      <div className="flex w-full max-w-sm flex-col gap-3 sm:flex-row">
        <Link
          href="/signup"
          className="inline-flex min-h-11 flex-1 items-center justify-center rounded-lg bg-accent px-4 py-2.5 font-semibold text-accent-fg hover:bg-accent-hover dark:bg-indigo-400 dark:text-zinc-950 dark:hover:bg-indigo-300"
        >
          Create an account
        </Link>
        <Link
          href="/login"
          className="inline-flex min-h-11 flex-1 items-center justify-center rounded-lg border border-zinc-300 bg-white px-4 py-2.5 font-semibold hover:bg-zinc-100 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800"
        >
          Sign in
        </Link>
      </div>
      <ul className="grid w-full gap-4 text-left sm:grid-cols-3">
        {[
          ["Passkey first", "Sign in with your fingerprint, face or screen lock, on a laptop or with your phone."],
          ["New device? Email", "Get a one-time link or code, sign in, then add a passkey on that device."],
          ["You stay in control", "See every passkey and signed-in device, and sign any of them out."],
        ].map(([title, text]) => (
          <li key={title} className="rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
            <h2 className="font-semibold">{title}</h2>
            <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{text}</p>
          </li>
        ))}
      </ul>
    </div>
  );
}
