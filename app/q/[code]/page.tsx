import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/card";
import { RelativeTime } from "@/components/relative-time";
import { qrApprovalView } from "@/lib/qr-sign-in";
import { messageFor } from "@/lib/shared/errors";
import { ApproveButton } from "./approve-button";

export const metadata: Metadata = { title: "Approve a sign-in", robots: { index: false } };

/**
 * The short URL a QR code holds. Opening it changes nothing (scanners, previews): approving takes
 * a passkey ceremony on this device. Only a device signed in to the account asked for sees what
 * is asking.
 */
export default async function ApproveQrPage({ params }: { params: Promise<{ code: string }> }) {
  const { code } = await params;
  const view = await qrApprovalView(code);
  if (view.state === "signed-out") {
    return (
      <Card title="Approve a sign-in" description="Another device asked to sign in with this device's help. Sign in here first; then this page asks you to approve.">
        <Link href={`/login?next=${encodeURIComponent(`/q/${code}`)}`} className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
          Sign in on this device
        </Link>
      </Card>
    );
  }
  if (view.state === "expired") {
    return (
      <Card title="This code no longer works" description={messageFor("sign_in_request_expired")}>
        <BackLink />
      </Card>
    );
  }
  if (view.state === "other-account") {
    return (
      <Card title="Not this account" description={messageFor("not_this_account")}>
        <BackLink />
      </Card>
    );
  }
  return (
    <Card
      title="Approve a sign-in?"
      description={
        <>
          <strong className="font-medium text-zinc-900 dark:text-zinc-100">{view.requestedBy}</strong> asked to sign in to your account <RelativeTime iso={new Date(view.createdAt).toISOString()} />.
        </>
      }
    >
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        Approve only if you pressed “Sign in with your phone” yourself, on a screen in front of you. If someone sent you this code or link, don&apos;t: they would be signed in as you.
      </p>
      <ApproveButton code={code} />
      <BackLink />
    </Card>
  );
}

function BackLink() {
  return (
    <Link href="/account" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
      Go to your account
    </Link>
  );
}
