import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Alert } from "@/components/alert";
import { EmailAddress } from "@/components/email-address";
import { RelativeTime } from "@/components/relative-time";
import { Section } from "@/components/section";
import { AnnounceProgress } from "@/components/tab-sync";
import { providerIcons } from "@/lib/aaguid";
import { groupActivity, recentActivity } from "@/lib/activity";
import { pendingEmailChange, pendingEmailRevert } from "@/lib/email-change";
import { heldUntil } from "@/lib/hold";
import { pendingPasskeyOffer } from "@/lib/passkey-offer";
import { resilienceWarning } from "@/lib/passkey-resilience";
import { listPasskeys, PASSKEY_ONLY_MIN_PASSKEYS } from "@/lib/passkeys";
import { getCurrentSession, listSessions, RISKY_CHANGE, unmetNeed } from "@/lib/session";
import { AddPasskey } from "./add-passkey";
import { DeleteAccount } from "./delete-account";
import { Devices, SignOutOthers } from "./devices";
import { PasskeyList } from "./passkey-list";
import { PasskeyOnly } from "./passkey-only";
import { ReauthLink } from "./reauth-link";
import { PasskeyOffer } from "./passkey-offer";
import { EmailChange, NameForm, PendingRevert } from "./profile-forms";

export const metadata: Metadata = { title: "Your account" };

const SECTIONS = [
  ["profile", "Profile"],
  ["passkeys", "Passkeys"],
  ["passkey-only", "Passkey-only"],
  ["devices", "Devices"],
  ["activity", "Activity"],
  ["delete", "Delete account"],
] as const;

export default async function AccountPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // The proxy's redirect is a convenience; this check is the guard.
  const current = await getCurrentSession();
  if (!current) redirect("/login?next=/account");
  const { user, session } = current;
  const { notice } = await searchParams;
  const held = heldUntil(session);
  // The guard the actions use says what to offer: a risky change, or "confirm it's you" first.
  const fresh = unmetNeed(session, RISKY_CHANGE) === null;
  const [passkeys, devices, events, pendingEmail, pendingRevert] = await Promise.all([
    listPasskeys(user.id),
    listSessions(user.id),
    recentActivity(user.id, 40),
    pendingEmailChange(user.id),
    pendingEmailRevert(user.id),
  ]);
  const offer = await pendingPasskeyOffer(current, passkeys);
  const resilience = resilienceWarning(passkeys, user.emailSigninDisabled);

  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-6">
      <AnnounceProgress />
      <div>
        <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">Your account</h1>
        <p className="mt-1 text-zinc-600 dark:text-zinc-400">
          Signed in {session.method === "passkey" ? "with a passkey" : "with an email link or code"}.
        </p>
      </div>
      {/* Wrapping, not scrolling: every section is in sight on the narrowest phone. */}
      <nav aria-label="Account sections">
        <ul className="flex flex-wrap gap-2 text-sm">
          {SECTIONS.map(([id, label]) => (
            <li key={id}>
              <a href={`#${id}`} className="inline-flex min-h-11 items-center whitespace-nowrap rounded-full border border-zinc-200 bg-white px-3.5 font-medium hover:bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900 dark:hover:bg-zinc-800">
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {notice === "email-changed" && (
        <Alert tone="success">
          <div className="flex flex-col gap-3">
            <p>
              Your email address is now <EmailAddress value={user.email} />. We told your old address, with a way to undo the change.
            </p>
            {devices.length > 1 && (
              <>
                <p>If someone else could be signed in to your account, sign out your other devices now.</p>
                <SignOutOthers label="Sign out other devices" />
              </>
            )}
          </div>
        </Alert>
      )}
      {notice === "confirmed" && !held && <Alert tone="success">Thanks: you can make changes for the next 10 minutes.</Alert>}
      {held && (
        <Alert tone="info">
          <p data-testid="hold-notice">
            This device signed in by email, so until <RelativeTime iso={held.toISOString()} /> it can&apos;t remove passkeys, change the email address, delete the account or switch sign-in by email.{" "}
            <ReauthLink section="passkeys">Confirm with a passkey you already had</ReauthLink> to lift it now.
          </p>
          <details className="mt-2">
            <summary className="inline-flex min-h-11 cursor-pointer items-center font-medium">Why?</summary>
            <p>If someone else can read your email, they could sign in with it; the hold keeps them from locking you out of your own account.</p>
          </details>
        </Alert>
      )}
      {offer && <PasskeyOffer reason={offer} />}

      <Section id="profile" title="Profile">
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="text-zinc-600 dark:text-zinc-400">Username</dt>
          <dd className="font-medium [overflow-wrap:anywhere]" data-testid="account-username">
            {user.username}
          </dd>
          <dt className="text-zinc-600 dark:text-zinc-400">Email</dt>
          <dd className="font-medium" data-testid="account-email">
            <EmailAddress value={user.email} />
          </dd>
        </dl>
        <NameForm name={user.name ?? ""} />
        <div id="email" className="scroll-mt-6 flex flex-col gap-2 border-t border-zinc-200 pt-4 dark:border-zinc-800">
          <h3 className="font-medium">Email address</h3>
          <p className="text-zinc-600 dark:text-zinc-400">Your way in on a new device, and where security notices go.</p>
          {pendingRevert && <PendingRevert revert={{ from: pendingRevert.from, until: pendingRevert.until.toISOString(), cancellable: pendingRevert.cancellable }} />}
          <EmailChange pending={pendingEmail} fresh={fresh} />
        </div>
      </Section>

      <Section id="passkeys" title="Passkeys" description={<span data-testid="account-passkeys-count">{passkeys.length === 0 ? "None yet: you sign in with links or codes sent to your email." : `${passkeys.length} of 10. Sign in with your face, fingerprint or screen lock.`}</span>}>
        {resilience && (
          <Alert tone="info">
            <p data-testid="passkey-resilience">{resilience}</p>
          </Alert>
        )}
        <PasskeyList
          fresh={fresh}
          passkeys={passkeys.map((p) => ({
            id: p.id,
            name: p.name,
            icons: providerIcons(p.aaguid),
            created: p.createdAt.toISOString(),
            lastUsed: p.lastUsedAt?.toISOString() ?? null,
            synced: p.backedUp,
            signedInWith: session.method === "passkey" && p.id === session.passkeyId,
            addedHere: p.createdInSession === session.id,
          }))}
        />
        <AddPasskey />
      </Section>

      <Section
        id="passkey-only"
        title="Passkey-only sign-in"
        description="With email sign-in off, someone in your email can't get into your account. Notices still come by email."
      >
        <PasskeyOnly on={user.emailSigninDisabled} fresh={fresh} passkeyCount={passkeys.length} minimum={PASSKEY_ONLY_MIN_PASSKEYS} />
      </Section>

      <Section id="devices" title="Signed-in devices" description="Sign out any device you don't recognise.">
        <Devices
          devices={devices.map((d) => ({
            id: d.id,
            name: d.userAgent,
            method: d.method,
            signedIn: d.createdAt.toISOString(),
            lastSeen: d.lastSeenAt.toISOString(),
            thisDevice: d.id === session.id,
            heldUntil: heldUntil(d)?.toISOString() ?? null,
          }))}
        />
        {devices.length > 1 && <SignOutOthers />}
      </Section>

      <Section id="activity" title="Recent activity">
        <ol className="flex flex-col divide-y divide-zinc-100 text-sm dark:divide-zinc-800" aria-label="Recent activity">
          {groupActivity(events).map((line) => (
            <li key={line.id} className={`flex flex-wrap justify-between gap-x-4 py-2 ${line.warning ? "text-red-800 dark:text-red-300" : ""}`} data-testid="activity">
              <span>
                {line.text}
                {line.count > 1 && <span className="ml-1 text-zinc-600 dark:text-zinc-400">({line.count} times)</span>}
              </span>
              <span className="text-zinc-600 dark:text-zinc-400">
                <RelativeTime iso={line.newest.toISOString()} />
              </span>
            </li>
          ))}
        </ol>
      </Section>

      <Section id="delete" title="Delete account" danger description="Deletes your account, passkeys, devices and activity. This can't be undone.">
        <DeleteAccount username={user.username} fresh={fresh} />
      </Section>
    </div>
  );
}
