/** "Chrome on macOS" from a User-Agent header: enough to tell one's devices apart, nothing more. */
export function summarizeUserAgent(ua: string | null | undefined): string {
  if (!ua) return "Unknown browser";
  const browser =
    match(ua, [
      [/EdgiOS|EdgA|Edg\//, "Edge"],
      [/OPR\/|Opera/, "Opera"],
      [/SamsungBrowser/, "Samsung Internet"],
      [/FxiOS|Firefox\//, "Firefox"],
      [/CriOS|Chrome\/|Chromium\//, "Chrome"],
      [/Version\/[\d.]+.*Safari\//, "Safari"],
    ]) ?? "Unknown browser";
  const system = match(ua, [
    [/iPhone|iPad|iPod/, "iOS"],
    [/Android/, "Android"],
    [/CrOS/, "ChromeOS"],
    [/Windows/, "Windows"],
    [/Mac OS X|Macintosh/, "macOS"],
    [/Linux/, "Linux"],
  ]);
  return system ? `${browser} on ${system}` : browser;
}

function match(ua: string, rules: [RegExp, string][]): string | undefined {
  return rules.find(([pattern]) => pattern.test(ua))?.[1];
}
