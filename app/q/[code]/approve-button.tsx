"use client";

import { useState } from "react";
import { Alert, LiveMessage } from "@/components/alert";
import { Button } from "@/components/button";
import { usePasskeyCeremony } from "@/components/use-passkey-ceremony";
import { fail, messageFor, type ErrorCode } from "@/lib/shared/errors";
import { approvalOptions, approve, refuse } from "./actions";

/**
 * Approves with a fresh passkey ceremony (user verification required); a cancelled one can be
 * tried again. "Not me" turns the request down, and the asking tab says so.
 */
export function ApproveButton({ code }: { code: string }) {
  const { get, pending, error } = usePasskeyCeremony();
  const [decided, setDecided] = useState<"approved" | "refused" | null>(null);
  const [refusing, setRefusing] = useState(false);
  const [refuseError, setRefuseError] = useState<ErrorCode | null>(null);
  if (decided === "approved") return <Alert tone="success">Approved. The other device is signing in now; you can close this page.</Alert>;
  if (decided === "refused") return <Alert tone="success">Turned down. Nobody was signed in, and the other device says so.</Alert>;
  const shown = error ?? refuseError;
  return (
    <>
      <LiveMessage message={shown ? messageFor(shown) : null} />
      <Button
        onClick={async () => {
          setRefuseError(null);
          const outcome = await get(() => approvalOptions(code), (response) => approve(code, response));
          if (outcome.done) setDecided("approved");
        }}
        disabled={refusing}
        pending={pending}
        pendingLabel="Waiting for your passkey…"
      >
        Approve with your passkey
      </Button>
      <Button
        variant="secondary"
        disabled={pending}
        pending={refusing}
        pendingLabel="Turning it down…"
        onClick={async () => {
          setRefusing(true);
          // Offline for a moment: say so, and the button can be pressed again.
          const refused = await refuse(code).catch(() => fail("unavailable"));
          setRefusing(false);
          if (refused.ok) setDecided("refused");
          else setRefuseError(refused.error);
        }}
      >
        Not me: turn it down
      </Button>
    </>
  );
}
