"use client";

import { useState } from "react";
import { Alert, LiveMessage } from "@/components/alert";
import { Button } from "@/components/button";
import { usePasskeyCeremony } from "@/components/use-passkey-ceremony";
import { messageFor } from "@/lib/shared/errors";
import { approvalOptions, approve } from "./actions";

/** Approves with a fresh passkey ceremony (user verification required); a cancelled one can be tried again. */
export function ApproveButton({ code }: { code: string }) {
  const { get, pending, error } = usePasskeyCeremony();
  const [approved, setApproved] = useState(false);
  if (approved) return <Alert tone="success">Approved. The other device is signing in now; you can close this page.</Alert>;
  return (
    <>
      <LiveMessage message={error ? messageFor(error) : null} />
      <Button
        onClick={async () => {
          const outcome = await get(() => approvalOptions(code), (response) => approve(code, response));
          if (outcome.done) setApproved(true);
        }}
        pending={pending}
        pendingLabel="Waiting for your passkey…"
      >
        Approve with your passkey
      </Button>
    </>
  );
}
