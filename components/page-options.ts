"use client";

import { useCallback, useEffect, useRef } from "react";

/** Fetch fresh options this long before the page's would run out (a ceremony needs time too). */
const MARGIN_MS = 60 * 1000;

/**
 * Passkey request options a page rendered with it (their challenge is stateless: lib/challenge.ts),
 * so a ceremony starts without an options request. They serve until a verify spends their
 * challenge or they near their end; after that `fetchOptions` (the options server action) does.
 * A cancelled request (autofill giving way to the button) hasn't spent them, so they serve again.
 */
export function usePageOptions<O extends { timeout?: number }, R>(fromPage: O | null, fetchOptions: () => Promise<R>) {
  const held = useRef<O | null>(null);
  // Their age counts from when they arrived, on this browser's own clock; a re-render from the
  // server (a refresh) brings new ones.
  const arrivedAt = useRef<number | null>(null);
  useEffect(() => {
    held.current = fromPage;
    arrivedAt.current = Date.now();
  }, [fromPage]);

  const begin = useCallback((): Promise<R | { ok: true; options: O }> => {
    const options = held.current;
    const arrived = arrivedAt.current;
    if (options && arrived !== null && Date.now() - arrived < (options.timeout ?? 0) - MARGIN_MS) return Promise.resolve({ ok: true as const, options });
    return fetchOptions();
  }, [fetchOptions]);

  /** Called as a response goes to verify: its challenge is spent, whatever the outcome. */
  const spend = useCallback(() => {
    held.current = null;
  }, []);

  return { begin, spend };
}
