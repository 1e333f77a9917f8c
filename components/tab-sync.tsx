"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * Mail apps open links in a new tab, so a flow often moves on in a tab other than the one left
 * waiting. Pages a flow lands on after a step announce it; waiting pages listen (and look again
 * whenever they are shown) and re-render from the server, which knows where the flow now is.
 */
const CHANNEL = "passwordless-progress";

export function AnnounceProgress() {
  useEffect(() => {
    if (typeof BroadcastChannel === "undefined") return;
    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage("moved-on");
    channel.close();
  }, []);
  return null;
}

export function FollowProgress() {
  const router = useRouter();
  useEffect(() => {
    const refresh = () => router.refresh();
    const onVisible = () => document.visibilityState === "visible" && refresh();
    const channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(CHANNEL);
    channel?.addEventListener("message", refresh);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      channel?.close();
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [router]);
  return null;
}
