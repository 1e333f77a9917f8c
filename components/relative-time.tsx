"use client";

import { useSyncExternalStore } from "react";

/**
 * A time as people read it: "3 minutes ago" when recent, a date in their own locale otherwise,
 * the full date and time on hover or focus. The server (which can't know the reader's locale or
 * time zone) renders the date in UTC; the browser replaces it once it runs.
 */
const subscribe = () => () => {};
const onClient = () => true;
const onServer = () => false;

// Made once per page load (or server start): building a formatter costs far more than using one,
// and the account page shows dozens of times at once.
const inUtc = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const fullLocal = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
const dayLocal = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const relativeLocal = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export function RelativeTime({ iso }: { iso: string }) {
  const hydrated = useSyncExternalStore(subscribe, onClient, onServer);
  const date = new Date(iso);
  const full = hydrated ? fullLocal.format(date) : `${inUtc.format(date)} UTC`;
  const shown = hydrated ? relative(date) : full;
  return (
    <time dateTime={iso} title={full} tabIndex={0} className="group relative cursor-help rounded underline decoration-dotted decoration-zinc-400 underline-offset-2 outline-offset-2">
      {shown}
      <span role="tooltip" className="pointer-events-none absolute bottom-full left-0 z-10 mb-1 hidden w-max max-w-64 rounded bg-zinc-900 px-2 py-1 text-xs text-white group-hover:block group-focus-visible:block dark:bg-zinc-100 dark:text-zinc-900">
        {full}
      </span>
    </time>
  );
}

function relative(date: Date): string {
  const seconds = (date.getTime() - Date.now()) / 1000;
  const ago = Math.abs(seconds);
  if (ago < 60) return "just now";
  if (ago < 3600) return relativeLocal.format(Math.round(seconds / 60), "minute");
  if (ago < 86400) return relativeLocal.format(Math.round(seconds / 3600), "hour");
  if (ago < 7 * 86400) return relativeLocal.format(Math.round(seconds / 86400), "day");
  return dayLocal.format(date);
}
