/**
 * Where a server's CPU time went during a time window of a V8 .cpuprofile (`node --cpu-prof`),
 * grouped by who owns the work. Frames in the minified .next chunks are traced back to their
 * source file through the build's source maps (node:module's SourceMap), so bundled packages (iron-session, SimpleWebAuthn,
 * drizzle, zod) are told apart from the app's own code. Bench tooling only.
 */
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] };

export type CostShare = { owner: string; percent: number };
export type ProfileSummary = { file: string; samples: number; owners: CostShare[] };

/** Who owns a piece of work, by the source file it came from. */
function ownerOfSource(path: string): string {
  const source = decodeURIComponent(path);
  if (/iron-session|iron-webcrypto/.test(source)) return "iron-session: sealing and unsealing cookies (WebCrypto)";
  if (/@simplewebauthn|@peculiar|@levischuck|asn1/.test(source)) return "@simplewebauthn: options and assertion checks";
  if (/drizzle-orm/.test(source)) return "drizzle-orm";
  if (/node_modules\/zod/.test(source)) return "zod";
  if (/node_modules\/(next|react|react-dom)\//.test(source)) return "Next.js + React server runtime";
  if (/node_modules\//.test(source)) return "other packages";
  return "app code (app/, lib/, db/, components/)";
}

const NODE_HTTP = /^node:(_http|net|internal\/(http|streams|stream_base))/;

/** Where the CPU time went during `windows` (microseconds of the monotonic clock). */
export function summarizeProfile(file: string, windows: { from: number; to: number }[]): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const maps = new Map<string, SourceMap | null>();
  const sourceOf = (url: string, line: number, column: number): string | null => {
    if (!url.startsWith("file://")) return null;
    if (!maps.has(url)) {
      const mapFile = `${fileURLToPath(url)}.map`;
      maps.set(url, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, "utf8")) as ConstructorParameters<typeof SourceMap>[0]) : null);
    }
    const entry = maps.get(url)?.findEntry(line, column);
    return entry && "originalSource" in entry ? entry.originalSource : null;
  };
  // null: generic Node internals (WebCrypto jobs, promises), charged to the frame that called them.
  const ownerOf = ({ functionName, url, lineNumber, columnNumber }: CallFrame): string | null => {
    if (/@electric-sql\/pglite/.test(url) || url.startsWith("wasm://")) return "PGlite (Postgres in WASM)";
    if (url === "node:zlib") return "gzip of responses (node:zlib)";
    if (NODE_HTTP.test(url) || ["writev", "writeUtf8String", "writeLatin1String"].includes(functionName)) return "HTTP and sockets (Node)";
    if (functionName === "(garbage collector)") return "garbage collector";
    if (["(idle)", "(program)", "(root)"].includes(functionName)) return "idle";
    if (url.includes("/.next/")) {
      const source = sourceOf(url, lineNumber, columnNumber);
      return source ? ownerOfSource(source) : "bundled code without a source map";
    }
    if (url.includes("/node_modules/")) return ownerOfSource(url);
    return null;
  };

  const parent = new Map<number, ProfileNode>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const counts = new Map<string, number>();
  let time = profile.startTime;
  let total = 0;
  profile.samples.forEach((id, i) => {
    time += profile.timeDeltas[i] ?? 0;
    if (!windows.some((w) => time >= w.from && time <= w.to)) return;
    let owner: string | null = null;
    for (let node = byId.get(id); node && owner === null; node = parent.get(node.id)) owner = ownerOf(node.callFrame);
    owner ??= "other Node internals";
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
    total += 1;
  });
  const owners = [...counts].map(([owner, n]) => ({ owner, percent: (100 * n) / total })).sort((a, b) => b.percent - a.percent);
  return { file, samples: total, owners };
}
