"use client";

import { useState, type FormEvent } from "react";
import { Button } from "./button";

/**
 * Sign out: a POST to /sign-out (a route handler, so it can send Clear-Site-Data), then a full
 * page load of the home page, so nothing of the signed-in pages stays in the tab's memory. The
 * button shows it's working meanwhile; without JavaScript the form posts by itself.
 */
export function SignOutButton() {
  const [pending, setPending] = useState(false);
  async function signOut(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    try {
      await fetch("/sign-out", { method: "POST", redirect: "manual" });
    } finally {
      // A full load on purpose: router.push would keep the signed-in pages in the client cache.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign("/");
    }
  }
  return (
    <form action="/sign-out" method="post" onSubmit={signOut}>
      <Button type="submit" variant="secondary" size="small" pending={pending} pendingLabel="Signing out…">
        Sign out
      </Button>
    </form>
  );
}
