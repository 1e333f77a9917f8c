/**
 * Browsers built into other apps (a link opened in Instagram, Gmail's app…): most can't use
 * passkeys (a WKWebView or Android WebView gets no WebAuthn unless its app is the relying party).
 * Read from the user agent, which these webviews mark; Chrome Custom Tabs and SFSafariViewController
 * carry the real browser's agent and can use passkeys, so they are not matched.
 */
const IN_APP = [
  /Instagram/, // Instagram
  /FBAN\/|FBAV\/|FB_IAB|FBIOS/, // Facebook, Messenger
  /LinkedInApp/, // LinkedIn
  /TwitterAndroid|Twitter for iP/, // X
  /musical_ly|BytedanceWebview|TikTok/, // TikTok
  /GSA\/|Gmail/, // Google's and Gmail's apps
  /Outlook-(iOS|Android)|ms-office/, // Outlook
  /; wv\)/, // Android WebView
];

export type InAppBrowser = { system: "ios" | "android" | "other" };

export function detectInAppBrowser(userAgent: string): InAppBrowser | null {
  if (!IN_APP.some((pattern) => pattern.test(userAgent))) return null;
  return { system: /iPhone|iPad|iPod/.test(userAgent) ? "ios" : /Android/.test(userAgent) ? "android" : "other" };
}

/** An Android intent URL that opens this page in the default browser. */
export function androidIntentUrl(href: string): string {
  const url = new URL(href);
  return `intent://${url.host}${url.pathname}${url.search}#Intent;scheme=${url.protocol.replace(":", "")};end`;
}
