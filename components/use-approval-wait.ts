"use client";

import { useEffect, useRef, useState } from "react";
import type { ErrorCode } from "@/lib/shared/errors";
import type { PendingStatus } from "@/lib/shared/pending";

/** What the waiting page shows: the request's status, or that collecting the approval failed. */
export type WaitState = { status: PendingStatus | "claiming" } | { status: "failed"; error: ErrorCode };

/**
 * The asking browser's side of a sign-in approved on another device (lib/pending-sign-in.ts):
 * asks `status` about every second while the tab is waiting and shown (a hidden tab asks nothing,
 * then asks the moment it is shown again) and, once approved, calls `claim`, a server action
 * that signs this browser in and redirects (Next follows the redirect). Stops for good on
 * refused, expired or used, and on a failed claim. A status check that can't reach the server
 * is just tried again at the next tick.
 */
export function useApprovalWait(status: () => Promise<PendingStatus>, claim: () => Promise<{ ok: false; error: ErrorCode } | void>, intervalMs = 1000): WaitState {
  const [state, setState] = useState<WaitState>({ status: "waiting" });
  // The latest actions, without restarting the loop when a parent re-renders.
  const actions = useRef({ status, claim });
  useEffect(() => {
    actions.current = { status, claim };
  }, [status, claim]);

  useEffect(() => {
    let unmounted = false;
    let done = false;
    let asking = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      timer = undefined;
      // A hidden tab asks nothing; it asks at once when shown again (the listener below).
      if (done || asking || document.hidden) return;
      asking = true;
      let now: PendingStatus | null = null;
      try {
        now = await actions.current.status();
      } catch {
        // Offline for a moment: keep waiting.
      }
      asking = false;
      if (unmounted) return;
      if (now === "approved") {
        done = true;
        setState({ status: "claiming" });
        let failed: { ok: false; error: ErrorCode } | void;
        try {
          failed = await actions.current.claim();
        } catch {
          failed = { ok: false, error: "unavailable" };
        }
        if (!unmounted && failed) setState({ status: "failed", error: failed.error });
        return;
      }
      if (now && now !== "waiting") {
        done = true;
        setState({ status: now });
        return;
      }
      timer = setTimeout(tick, intervalMs);
    };
    const shown = () => {
      if (document.hidden || done || asking) return;
      clearTimeout(timer);
      void tick();
    };
    document.addEventListener("visibilitychange", shown);
    timer = setTimeout(tick, intervalMs);
    return () => {
      unmounted = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", shown);
    };
  }, [intervalMs]);

  return state;
}
