"use client";

import { useActionState } from "react";
import { Alert } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { RelativeTime } from "@/components/relative-time";
import { messageFor } from "@/lib/shared/errors";
import { signOutDeviceAction, signOutOthersAction } from "./actions";
import type { FormState } from "@/lib/shared/form-state";
import { useDone } from "./use-done";

export type DeviceItem = { id: string; name: string; method: "passkey" | "email"; signedIn: string; lastSeen: string; thisDevice: boolean; heldUntil: string | null };

function DeviceRow({ device }: { device: DeviceItem }) {
  const [state, action] = useActionState<FormState, FormData>(signOutDeviceAction, {});
  useDone(state);
  return (
    <li className="flex flex-wrap items-center justify-between gap-3 p-3 sm:p-4" data-testid="device">
      <div className="min-w-0">
        <p className="flex flex-wrap items-center gap-2 font-medium">
          {device.name}
          {device.thisDevice && <span className="whitespace-nowrap rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100">This device</span>}
          {device.heldUntil && <span className="whitespace-nowrap rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-900 dark:text-amber-100">On hold</span>}
        </p>
        {device.heldUntil && (
          <p className="text-sm text-amber-900 dark:text-amber-200">
            Signed in by email, so it can&apos;t remove passkeys, change the email or delete the account yet; the hold ends <RelativeTime iso={device.heldUntil} />. Not you? Sign it out.
          </p>
        )}
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {device.method === "passkey" ? "Passkey" : "Email link or code"} · Signed in <RelativeTime iso={device.signedIn} /> · Last seen <RelativeTime iso={device.lastSeen} />
        </p>
        {state.failure && <p className="text-sm text-red-700 dark:text-red-400">{messageFor(state.failure)}</p>}
      </div>
      <form action={action}>
        <input type="hidden" name="sessionId" value={device.id} />
        <SubmitButton variant="secondary" size="small" pendingLabel="Signing out…" aria-label={device.thisDevice ? "Sign out this device" : `Sign out ${device.name}`}>
          Sign out
        </SubmitButton>
      </form>
    </li>
  );
}

export function Devices({ devices }: { devices: DeviceItem[] }) {
  return (
    <ul className="flex flex-col divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800" aria-label="Signed-in devices">
      {devices.map((d) => (
        <DeviceRow key={d.id} device={d} />
      ))}
    </ul>
  );
}

/** "Sign out everywhere else", also offered right after an email change. */
export function SignOutOthers({ label = "Sign out everywhere else" }: { label?: string }) {
  const [state, action] = useActionState<FormState, FormData>(signOutOthersAction, {});
  useDone(state);
  return (
    <form action={action} className="flex flex-col gap-2">
      {state.failure && <Alert tone="error">{messageFor(state.failure)}</Alert>}
      <SubmitButton variant="secondary" className="sm:!w-auto sm:self-start" pendingLabel="Signing out…">
        {label}
      </SubmitButton>
    </form>
  );
}
