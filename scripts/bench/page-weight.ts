/**
 * Page weight as Chromium sees it: bytes transferred (compressed, as sent) for a first visit with
 * an empty cache, and the part of them that is JavaScript. Also writes the framework floor: a bare
 * Next.js page with the same next/react, built and served the same way. Bench tooling only.
 */
import { chromium } from "@playwright/test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export type PageTarget = { label: string; origin: string; path: string; cookies?: { name: string; value: string }[] };
export type PageWeight = { label: string; path: string; requests: number; jsFiles: number; jsBytes: number; totalBytes: number };

/** Debian's Chromium when present (as the e2e suite uses), else Playwright's own. */
const chromiumPath = process.env.CHROMIUM_PATH || (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export async function measurePages(targets: PageTarget[]): Promise<PageWeight[]> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    // No traffic but the page's own; localhost pinned to 127.0.0.1, where the servers listen.
    args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--host-resolver-rules=MAP localhost 127.0.0.1"],
  });
  try {
    const weights: PageWeight[] = [];
    for (const target of targets) {
      // A new context per page: an empty cache, as on a first visit.
      const context = await browser.newContext();
      if (target.cookies) await context.addCookies(target.cookies.map((c) => ({ ...c, url: target.origin })));
      const page = await context.newPage();
      const sizes: Promise<{ script: boolean; body: number; headers: number }>[] = [];
      page.on("requestfinished", (request) => {
        sizes.push(request.sizes().then((s) => ({ script: request.resourceType() === "script", body: s.responseBodySize, headers: s.responseHeadersSize })));
      });
      const response = await page.goto(`${target.origin}${target.path}`, { waitUntil: "networkidle", timeout: 60_000 });
      if (!response?.ok()) throw new Error(`${target.label}: HTTP ${response?.status()}`);
      if (new URL(page.url()).pathname !== target.path) throw new Error(`${target.label}: redirected to ${page.url()}`);
      const all = await Promise.all(sizes);
      const scripts = all.filter((s) => s.script);
      weights.push({
        label: target.label,
        path: target.path,
        requests: all.length,
        jsFiles: scripts.length,
        jsBytes: scripts.reduce((n, s) => n + s.body, 0),
        totalBytes: all.reduce((n, s) => n + s.body + s.headers, 0),
      });
      await context.close();
    }
    return weights;
  } finally {
    await browser.close();
  }
}

/** The deepest directory containing both paths. */
function commonAncestor(a: string, b: string): string {
  const x = a.split(path.sep);
  const y = b.split(path.sep);
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return x.slice(0, i).join(path.sep) || path.sep;
}

/**
 * A bare Next.js app (one page, no CSS, no client code of its own) in a temp directory that uses
 * this project's node_modules, so next and react are exactly the project's versions. The
 * directory is named after what it is built from and kept, so a later run with the same
 * node_modules reuses its build (`built`).
 */
export function floorApp(projectDir: string): { dir: string; built: boolean } {
  const modules = realpathSync(path.join(projectDir, "node_modules"));
  const nextVersion = (JSON.parse(readFileSync(path.join(modules, "next", "package.json"), "utf8")) as { version: string }).version;
  const files: Record<string, string> = {
    "package.json": JSON.stringify({ name: "framework-floor", private: true }, null, 2),
    // Turbopack resolves only inside its root: make it include the linked node_modules.
    "next.config.mjs": "export default { turbopack: { root: ROOT } };\n",
    "app/layout.jsx": `export default function RootLayout({ children }) {\n  return (\n    <html lang="en">\n      <body>{children}</body>\n    </html>\n  );\n}\n`,
    "app/page.jsx": `export default function Page() {\n  return <main><h1>Hello</h1></main>;\n}\n`,
  };
  const stamp = createHash("sha256").update(JSON.stringify({ modules, nextVersion, files })).digest("hex").slice(0, 16);
  const dir = path.join(tmpdir(), `passwordless-bench-floor-${stamp}`);
  if (existsSync(path.join(dir, ".next", "BUILD_ID"))) return { dir, built: true };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, "app"), { recursive: true });
  symlinkSync(modules, path.join(dir, "node_modules"));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text.replace("ROOT", JSON.stringify(commonAncestor(dir, modules))));
  return { dir, built: false };
}
