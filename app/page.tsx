import Link from "next/link";
import { Alert } from "@/components/alert";
import { buttonClass } from "@/components/button-styles";
import { deletedAccountSignal } from "@/lib/account";
import { AccountDeletedSignal } from "./account-deleted-signal";

export default async function Home({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { deleted } = await searchParams;
  const deletedSignals = deleted === "1" ? await deletedAccountSignal() : null;
  return (
    <div className="mx-auto flex w-full max-w-4xl flex-col items-center gap-8 text-center sm:pt-8">
      {deletedSignals && (
        <>
          <Alert tone="success">Your account was deleted. Thanks for trying Passwordless.</Alert>
          <AccountDeletedSignal signals={deletedSignals} />
        </>
      )}
      <div className="flex flex-col items-center gap-5">
        <p className="rounded-full border border-indigo-200 bg-indigo-50 px-3 py-1 text-sm font-medium text-indigo-800 dark:border-indigo-900 dark:bg-indigo-950 dark:text-indigo-200">
          Passkeys first, email as a backup
        </p>
        <h1 className="text-4xl font-semibold tracking-tight sm:text-6xl">Sign in without a password</h1>
        <p className="max-w-xl text-lg text-zinc-700 dark:text-zinc-300">
          Your phone or computer keeps a passkey for you and unlocks it with your face, fingerprint or screen lock. It works only on
          this site, so it can&apos;t be phished, guessed or leaked.
        </p>
      </div>
      <div className="flex w-full flex-col gap-3 sm:w-auto sm:flex-row">
        <Link href="/signup" className={`${buttonClass("primary")} sm:w-auto sm:px-6`}>
          Create an account
        </Link>
        <Link href="/login" className={`${buttonClass("secondary")} sm:w-auto sm:px-6`}>
          Sign in
        </Link>
      </div>
      <ol className="grid w-full gap-3 text-left sm:mt-4 sm:grid-cols-3 sm:gap-4" aria-label="How it works">
        {[
          ["Create an account", "Your username and email. We send a code to confirm the address."],
          ["Make a passkey", "One touch of your fingerprint, face or screen lock. Nothing to remember."],
          ["Sign in anywhere", "With your passkey, or on a new device with a link we email you."],
        ].map(([title, text], i) => (
          <li key={title} className="flex gap-3 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
            <span aria-hidden className="grid size-7 shrink-0 place-items-center rounded-full bg-indigo-100 text-sm font-semibold text-indigo-800 dark:bg-indigo-900 dark:text-indigo-100">
              {i + 1}
            </span>
            <div>
              <h2 className="font-medium">{title}</h2>
              <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{text}</p>
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}
