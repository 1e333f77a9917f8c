import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Alert } from "@/components/alert";
import { SubmitButton } from "@/components/button";
import { Section } from "@/components/section";
import { pendingEmailChange } from "@/lib/account";
import { providerIcons } from "@/lib/aaguid";
import { describeActivity, recentActivity } from "@/lib/activity";
import { flowCookie } from "@/lib/flow";
import { listPasskeys } from "@/lib/passkeys";
import { getCurrentSession, isFresh, listSessions } from "@/lib/session";
import { revokeOtherSessionsAction, revokeSessionAction, signOut } from "./actions";
import { AddPasskey } from "./add-passkey";
import { DeleteAccount } from "./delete-account";
import { PasskeyList } from "./passkey-list";
import { EmailChange, NameForm } from "./profile-forms";

export const metadata: Metadata = { title: "Your account" };

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const formatDate = (d: Date) => `${dateFormat.format(d)} UTC`;

const NOTICES: Record<string, string> = {
  "email-changed": "Your email address was changed. We told your old address too.",
};

export default async function AccountPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // The proxy's redirect is a convenience; this check is the guard.
  const current = await getCurrentSession();
  if (!current) redirect("/login?next=/account");
  const { user, session } = current;
  const { notice } = await searchParams;
  const fresh = isFresh(session);
  const [passkeys, devices, events, pendingEmail] = await Promise.all([
    listPasskeys(user.id),
    listSessions(user.id),
    recentActivity(user.id),
    pendingEmailChange(user.id, (await flowCookie()).emailChangeId),
  ]);
  const details: [string, string][] = [
    ["Name", user.name ?? "—"],
    ["Username", user.username],
    ["Email", user.email],
    ["Passkeys", String(passkeys.length)],
  ];

  return (
    <div className="mx-auto flex w-full max-w-2xl flex-col gap-6">
      <div>
        <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">Your account</h1>
        <p className="mt-1 text-zinc-600 dark:text-zinc-400">Signed in with {session.method === "passkey" ? "a passkey" : "an email link or code"}.</p>
      </div>
      {typeof notice === "string" && NOTICES[notice] && <Alert tone="success">{NOTICES[notice]}</Alert>}
      {session.method === "email" && !passkeys.some((p) => p.createdInSession === session.id) && <AddPasskey prompt />}

      <Section id="profile" title="Profile">
        <dl className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
          {details.map(([term, value]) => (
            <div key={term} className="flex flex-wrap justify-between gap-2 px-4 py-3">
              <dt className="text-zinc-600 dark:text-zinc-400">{term}</dt>
              <dd className="font-medium [overflow-wrap:anywhere]" data-testid={`account-${term.toLowerCase()}`}>
                {value}
              </dd>
            </div>
          ))}
        </dl>
        <NameForm name={user.name ?? ""} />
      </Section>

      <Section id="email" title="Email address" description="Your way in on a new device, and where we send security notices.">
        <EmailChange pendingEmail={pendingEmail} fresh={fresh} />
      </Section>

      <Section id="passkeys" title="Passkeys" description={`Up to 10. ${passkeys.length === 0 ? "" : "Synced passkeys work on your other devices too."}`}>
        <PasskeyList
          fresh={fresh}
          passkeys={passkeys.map((p) => ({
            id: p.id,
            name: p.name,
            icons: providerIcons(p.aaguid),
            created: formatDate(p.createdAt),
            lastUsed: p.lastUsedAt ? formatDate(p.lastUsedAt) : null,
            synced: p.backedUp,
            current: session.method === "passkey" && p.id === session.passkeyId,
          }))}
        />
        <AddPasskey />
      </Section>

      <Section id="devices" title="Signed-in devices">
        <ul className="flex flex-col divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800" aria-label="Signed-in devices">
          {devices.map((d) => (
            <li key={d.id} className="flex flex-wrap items-center justify-between gap-3 p-4" data-testid="device">
              <div className="min-w-0">
                <p className="font-medium">
                  {d.userAgent}
                  {d.id === session.id && <span className="ml-2 whitespace-nowrap rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-semibold text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100">This device</span>}
                </p>
                <p className="text-sm text-zinc-600 dark:text-zinc-400">
                  {d.method === "passkey" ? "Passkey" : "Email link or code"} · Signed in {formatDate(d.createdAt)} · Last seen {formatDate(d.lastSeenAt)}
                </p>
              </div>
              <form action={revokeSessionAction}>
                <input type="hidden" name="sessionId" value={d.id} />
                <SubmitButton variant="secondary" className="!w-auto" pendingLabel="Signing out…" aria-label={d.id === session.id ? "Sign out this device" : `Sign out ${d.userAgent}`}>
                  Sign out
                </SubmitButton>
              </form>
            </li>
          ))}
        </ul>
        {devices.length > 1 && (
          <form action={revokeOtherSessionsAction}>
            <SubmitButton variant="secondary" className="sm:!w-auto" pendingLabel="Signing out…">
              Sign out everywhere else
            </SubmitButton>
          </form>
        )}
      </Section>

      <Section id="activity" title="Recent activity">
        <ol className="flex flex-col gap-2 text-sm" aria-label="Recent activity">
          {events.map((e) => (
            <li key={e.id} className="flex flex-wrap justify-between gap-x-4" data-testid="activity">
              <span>{describeActivity(e.type, e.detail)}</span>
              <time className="text-zinc-600 dark:text-zinc-400" dateTime={e.createdAt.toISOString()}>
                {formatDate(e.createdAt)}
              </time>
            </li>
          ))}
        </ol>
      </Section>

      <Section id="delete" title="Delete account" description="Deletes your account, passkeys, devices and activity. This can't be undone.">
        <DeleteAccount username={user.username} fresh={fresh} />
      </Section>

      <form action={signOut}>
        <SubmitButton variant="secondary" pendingLabel="Signing out…">
          Sign out of this device
        </SubmitButton>
      </form>
    </div>
  );
}
