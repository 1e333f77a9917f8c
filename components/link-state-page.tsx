import Link from "next/link";
import type { ReactNode } from "react";
import type { LinkState } from "@/lib/emailed-proof";
import { Card } from "./card";
import { AnnounceProgress } from "./tab-sync";

/**
 * What an emailed link's page says, for every kind of link and every state it can be in, in one
 * place. Each says the truth about this browser: ready to use (the kind's own form), used here
 * already, expired, asked for in another browser, or not needed because this browser is signed in.
 */
export type LinkKind = "sign-in" | "sign-up" | "email-change" | "confirm";
/** LinkState, plus: the flow moved on past the link (sign-up at its passkey step), signed in, or the URL lost its token. */
export type PageState = LinkState | "moved_on" | "signed_in" | "incomplete";

type Copy = { title: string; description: string; action: { href: string; label: string } };

const COPY: Record<LinkKind, Record<Exclude<PageState, "ready">, Copy>> = {
  "sign-in": {
    used: { title: "This link was already used", description: "It signed this browser in earlier. To sign in again, ask for a new link or use your passkey.", action: { href: "/login", label: "Sign in" } },
    expired: { title: "This link has expired", description: "Sign-in links work for 10 minutes, once. Ask for a new one.", action: { href: "/login", label: "Ask for a new link" } },
    ended: { title: "This link no longer works", description: "Too many wrong codes were typed for this request, so it was ended. Ask for a new link.", action: { href: "/login", label: "Ask for a new link" } },
    elsewhere: {
      title: "Open this link where you asked for it",
      description: "A sign-in link works only in the browser where it was asked for: open it there, or type the code from the email in that browser. Links also expire after 10 minutes and work once.",
      action: { href: "/login", label: "Sign in here instead" },
    },
    moved_on: { title: "You're signed in", description: "This link was used to sign you in.", action: { href: "/account", label: "Go to your account" } },
    signed_in: { title: "You're already signed in", description: "This browser is signed in, so the link isn't needed.", action: { href: "/account", label: "Go to your account" } },
    incomplete: { title: "This link is incomplete", description: "Copy the whole link from the email, or type the code in the browser where you asked for it.", action: { href: "/login", label: "Sign in" } },
  },
  "sign-up": {
    used: { title: "This link was already used", description: "Your email was confirmed and your account exists. Sign in to use it.", action: { href: "/login", label: "Sign in" } },
    expired: { title: "This sign-up link has expired", description: "Sign-up links work for 15 minutes, and nothing is created until one is used. Start again.", action: { href: "/signup", label: "Start again" } },
    ended: { title: "This link no longer works", description: "Too many wrong codes were typed, so this sign-up was ended and nothing was created. Start again.", action: { href: "/signup", label: "Start again" } },
    elsewhere: {
      title: "Open this link where you signed up",
      description: "This link works only in the browser where you started signing up: open it there, or type the code from the email in that browser.",
      action: { href: "/signup", label: "Go to sign-up" },
    },
    moved_on: { title: "Your email is confirmed", description: "Carry on where you left off: create your passkey.", action: { href: "/signup", label: "Continue" } },
    signed_in: { title: "You're already signed in", description: "This browser is signed in, so the link isn't needed.", action: { href: "/account", label: "Go to your account" } },
    incomplete: { title: "This link is incomplete", description: "Copy the whole link from the email, or type the code where you signed up.", action: { href: "/signup", label: "Go to sign-up" } },
  },
  "email-change": {
    used: { title: "This link was already used", description: "The change it confirmed is done: your account shows your current address.", action: { href: "/account#email", label: "Go to your account" } },
    expired: { title: "This email change has expired", description: "Links work for 15 minutes. Start the change again from your account; your address hasn't changed.", action: { href: "/account#email", label: "Go to your account" } },
    ended: { title: "This link no longer works", description: "Too many wrong codes were typed, so the change was ended; your address hasn't changed. Start it again from your account.", action: { href: "/account#email", label: "Go to your account" } },
    elsewhere: {
      title: "Open this link where you asked for it",
      description: "This link works only in the browser where you asked to change your email: open it there, or type the code from the email in that browser.",
      action: { href: "/account#email", label: "Go to your account" },
    },
    moved_on: { title: "Your email address was changed", description: "Your account shows your new address.", action: { href: "/account#email", label: "Go to your account" } },
    signed_in: { title: "You're signed in", description: "Your account shows your current address.", action: { href: "/account#email", label: "Go to your account" } },
    incomplete: { title: "This link is incomplete", description: "Copy the whole link from the email, or type the code in your account page.", action: { href: "/account#email", label: "Go to your account" } },
  },
  confirm: {
    used: { title: "You've confirmed it's you", description: "This link was used already. You can make your change now.", action: { href: "/account", label: "Go to your account" } },
    expired: { title: "This link has expired", description: "Links work for 10 minutes, once. Ask for a new one.", action: { href: "/account/confirm", label: "Ask for a new code" } },
    ended: { title: "This link no longer works", description: "Too many wrong codes were typed, so the request was ended. Ask for a new one.", action: { href: "/account/confirm", label: "Ask for a new code" } },
    elsewhere: {
      title: "Open this link where you asked for it",
      description: "This link works only in the browser where you asked to confirm it's you: open it there, or type the code from the email in that browser.",
      action: { href: "/account/confirm", label: "Confirm it's you here" },
    },
    moved_on: { title: "You've confirmed it's you", description: "You can make your change now.", action: { href: "/account", label: "Go to your account" } },
    signed_in: { title: "You're signed in", description: "You can carry on in your account.", action: { href: "/account", label: "Go to your account" } },
    incomplete: { title: "This link is incomplete", description: "Copy the whole link from the email, or type the code where you asked for it.", action: { href: "/account/confirm", label: "Confirm it's you" } },
  },
};

export function LinkStatePage({
  kind,
  state,
  ready,
  signedInAs,
}: {
  kind: LinkKind;
  state: PageState;
  ready: { title: string; description: ReactNode; form: ReactNode };
  signedInAs?: string;
}) {
  if (state === "ready") {
    return (
      <Card title={ready.title} description={ready.description}>
        {ready.form}
      </Card>
    );
  }
  const copy = COPY[kind][state];
  return (
    <Card title={copy.title} description={state === "signed_in" && signedInAs ? `${copy.description} You're signed in as ${signedInAs}.` : copy.description}>
      {(state === "moved_on" || state === "used") && <AnnounceProgress />}
      <Link href={copy.action.href} className="text-center font-medium text-indigo-700 underline dark:text-indigo-300" data-state={state}>
        {copy.action.label}
      </Link>
    </Card>
  );
}
