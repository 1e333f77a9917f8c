"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Alert } from "@/components/alert";
import { Button } from "@/components/button";
import { RelativeTime } from "@/components/relative-time";
import { applySignals } from "@/components/signals";
import { useToast } from "@/components/toast";
import { messageFor, type ErrorCode } from "@/lib/shared/errors";
import { removePasskeyAction, renamePasskeyAction } from "./actions";
import { needsReauth, ReauthLink } from "./reauth-link";

export type PasskeyItem = {
  id: string;
  name: string;
  icons: { light: string; dark: string } | null;
  created: string;
  lastUsed: string | null;
  synced: boolean;
  /** This session signed in with it. */
  signedInWith: boolean;
  /** This session added it. */
  addedHere: boolean;
};

function KeyIcon() {
  return (
    <svg viewBox="0 0 24 24" aria-hidden className="size-8 shrink-0 rounded-lg bg-zinc-100 p-1.5 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-200" fill="none" stroke="currentColor" strokeWidth={1.8}>
      <circle cx="8" cy="15" r="4" />
      <path d="M11 12l9-9M17 6l3 3M14 9l2 2" strokeLinecap="round" />
    </svg>
  );
}

function Badge({ children }: { children: string }) {
  return <span className="whitespace-nowrap rounded-full bg-indigo-100 px-2 py-0.5 text-xs font-medium text-indigo-900 dark:bg-indigo-900 dark:text-indigo-100">{children}</span>;
}

type Failure = { error: ErrorCode; message?: string };

export function PasskeyList({ passkeys, fresh }: { passkeys: PasskeyItem[]; fresh: boolean }) {
  const router = useRouter();
  const toast = useToast();
  const [failure, setFailure] = useState<Failure | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function run(action: () => ReturnType<typeof removePasskeyAction | typeof renamePasskeyAction>, success: string) {
    setFailure(null);
    startTransition(async () => {
      let result;
      try {
        result = await action();
      } catch {
        result = { ok: false as const, error: "unavailable" as const };
      }
      if (!result.ok) {
        setFailure({ error: result.error, message: "message" in result && typeof result.message === "string" ? result.message : undefined });
        return;
      }
      await applySignals(result.signals);
      setEditing(null);
      setConfirming(null);
      toast(success);
      router.refresh();
    });
  }

  if (passkeys.length === 0) return null;

  return (
    <>
      <div aria-live="assertive" className="empty:hidden">
        {failure && (
          <Alert tone="error">
            {failure.message ?? messageFor(failure.error)} {needsReauth(failure.error) && <ReauthLink section="passkeys" />}
          </Alert>
        )}
      </div>
      <ul className="flex flex-col divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800" aria-label="Passkeys">
        {passkeys.map((p) => (
          <li key={p.id} className="flex flex-col gap-3 p-3 sm:p-4" data-testid="passkey">
            <div className="flex items-start gap-3">
              {p.icons ? (
                <picture className="shrink-0">
                  <source srcSet={p.icons.dark} media="(prefers-color-scheme: dark)" />
                  <img src={p.icons.light} alt="" width={32} height={32} className="size-8" />
                </picture>
              ) : (
                <KeyIcon />
              )}
              <div className="min-w-0 flex-1">
                <p className="flex flex-wrap items-center gap-x-2 gap-y-1 font-medium [overflow-wrap:anywhere]">
                  <span data-testid="passkey-name">{p.name}</span>
                  {p.signedInWith && <Badge>Signed in with this</Badge>}
                  {p.addedHere && <Badge>Added on this device</Badge>}
                </p>
                <p className="mt-0.5 text-zinc-600 dark:text-zinc-400">
                  {p.synced ? "Synced across your devices" : "Not synced: kept on one device or key"} · Added <RelativeTime iso={p.created} /> · {p.lastUsed ? <>Last used <RelativeTime iso={p.lastUsed} /></> : "Never used to sign in"}
                </p>
              </div>
            </div>
            {editing === p.id ? (
              <form className="flex flex-col gap-2 sm:flex-row" action={(formData) => run(() => renamePasskeyAction(p.id, formData.get("name")), "Passkey renamed.")}>
                <label className="sr-only" htmlFor={`name-${p.id}`}>
                  New name for {p.name}
                </label>
                <input
                  id={`name-${p.id}`}
                  name="name"
                  defaultValue={p.name}
                  maxLength={64}
                  required
                  autoFocus
                  className="min-h-11 flex-1 rounded-lg border border-zinc-300 bg-white px-3 dark:border-zinc-700 dark:bg-zinc-900"
                />
                <Button type="submit" className="sm:!w-auto" pending={pending} pendingLabel="Saving…">
                  Save
                </Button>
                <Button type="button" variant="ghost" className="sm:!w-auto" onClick={() => setEditing(null)}>
                  Cancel
                </Button>
              </form>
            ) : confirming === p.id ? (
              <div className="flex flex-col gap-2 rounded-lg bg-red-50 p-3 text-sm text-red-950 dark:bg-red-950 dark:text-red-100" role="group" aria-label={`Remove ${p.name}`}>
                <p>
                  {passkeys.length === 1
                    ? "This is your last passkey. Without it you'll sign in with links or codes sent to your email. Remove it?"
                    : `Remove "${p.name}"? It will no longer sign you in, and devices that signed in with it will be signed out.`}
                </p>
                <div className="flex flex-col gap-2 sm:flex-row">
                  <Button variant="danger" className="sm:!w-auto" pending={pending} pendingLabel="Removing…" onClick={() => run(() => removePasskeyAction(p.id), `Passkey removed: ${p.name}.`)}>
                    Remove passkey
                  </Button>
                  <Button variant="ghost" className="sm:!w-auto" onClick={() => setConfirming(null)}>
                    Keep it
                  </Button>
                </div>
              </div>
            ) : (
              <div className="flex flex-wrap gap-2 sm:pl-11">
                <Button variant="secondary" size="small" onClick={() => setEditing(p.id)} aria-label={`Rename ${p.name}`}>
                  Rename
                </Button>
                {fresh ? (
                  <Button variant="secondary" size="small" onClick={() => setConfirming(p.id)} aria-label={`Remove ${p.name}`}>
                    Remove
                  </Button>
                ) : (
                  <span className="inline-flex min-h-11 items-center px-2 text-sm">
                    <ReauthLink section="passkeys">Confirm it&apos;s you to remove</ReauthLink>
                  </span>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
