import { describe, expect, it } from "vitest";
import { androidIntentUrl, detectInAppBrowser } from "./in-app-browser";

const USER_AGENTS = {
  instagramIos:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 334.0.4.32.98 (iPhone15,2; iOS 17_5; en_US; en; scale=3.00; 1179x2556; 609337787)",
  androidWebView: "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/127.0.6533.103 Mobile Safari/537.36",
  facebookAndroid:
    "Mozilla/5.0 (Linux; Android 13; SM-S911B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.122 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/471.0.0.35.80;]",
  linkedInIos: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.29.8",
  tiktokIos: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_32.5.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/en",
  safariIos: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  chromeAndroid: "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Mobile Safari/537.36",
  chromeLinux: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36",
};

describe("detectInAppBrowser", () => {
  it("finds the in-app browsers and their system", () => {
    expect(detectInAppBrowser(USER_AGENTS.instagramIos)).toEqual({ system: "ios" });
    expect(detectInAppBrowser(USER_AGENTS.androidWebView)).toEqual({ system: "android" });
    expect(detectInAppBrowser(USER_AGENTS.facebookAndroid)).toEqual({ system: "android" });
    expect(detectInAppBrowser(USER_AGENTS.linkedInIos)).toEqual({ system: "ios" });
    expect(detectInAppBrowser(USER_AGENTS.tiktokIos)).toEqual({ system: "ios" });
  });

  it("leaves real browsers alone", () => {
    for (const ua of [USER_AGENTS.safariIos, USER_AGENTS.chromeAndroid, USER_AGENTS.chromeLinux]) expect(detectInAppBrowser(ua)).toBeNull();
  });
});

it("builds an intent URL that opens the same page in the default browser", () => {
  expect(androidIntentUrl("https://example.org/signup?x=1")).toBe("intent://example.org/signup?x=1#Intent;scheme=https;end");
  expect(androidIntentUrl("http://localhost:3240/login")).toBe("intent://localhost:3240/login#Intent;scheme=http;end");
});
