"use client";

import { useState } from "react";
import { androidIntentUrl } from "@/lib/shared/in-app-browser";
import { Alert } from "./alert";
import { Button } from "./button";
import { buttonClass } from "./button-styles";
import { useInAppBrowser, useWebAuthnSupported } from "./use-webauthn-supported";

/**
 * Said plainly where passkeys can't work: in an app's built-in browser, with a way out to the real
 * browser (an intent URL on Android; on iOS, copy the link and open Safari), and otherwise the
 * emailed code, which works here (a link would open in another browser, where it doesn't). Nothing
 * for browsers that can use passkeys.
 */
export function NoPasskeysHere() {
  const supported = useWebAuthnSupported();
  const inApp = useInAppBrowser();
  const [copied, setCopied] = useState(false);
  if (supported) return null;
  if (!inApp) {
    return <Alert tone="info">This browser can&apos;t use passkeys. Continue with your email: we&apos;ll send you a code to type here.</Alert>;
  }
  return (
    <Alert tone="info">
      <span className="flex flex-col gap-3">
        <strong>This app&apos;s built-in browser can&apos;t use passkeys.</strong>
        <span>Open this page in your browser to use one, or continue here with your email: we&apos;ll send you a code to type on this page.</span>
        {inApp === "android" && (
          <a href={androidIntentUrl(location.href)} className={buttonClass("secondary")}>
            Open in your browser
          </a>
        )}
        {inApp === "ios" && (
          <>
            <Button
              type="button"
              variant="secondary"
              onClick={async () => {
                await navigator.clipboard.writeText(location.href);
                setCopied(true);
              }}
            >
              {copied ? "Link copied" : "Copy link"}
            </Button>
            <span>Then open Safari and paste it, or use this app&apos;s menu (⋯ or the share button) and choose “Open in Safari” or “Open in browser”.</span>
          </>
        )}
      </span>
    </Alert>
  );
}
