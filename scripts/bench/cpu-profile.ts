/**
 * Where a server's CPU time went during a time window of a V8 .cpuprofile (`node --cpu-prof`),
 * grouped by who owns the work. Frames in the minified .next chunks are traced back to their
 * source file through the build's source maps, so bundled packages (iron-session, SimpleWebAuthn,
 * drizzle, zod) are told apart from the app's own code. Bench tooling only.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] };

type RawMap = { sources: string[]; mappings: string } | { sections: { offset: { line: number; column: number }; map: RawMap }[] };
/** Per generated line: [generated column, source index] segments, in column order. */
type Lines = [number, number][][];
type SourceMap = { kind: "plain"; sources: string[]; lines: Lines } | { kind: "sections"; sections: { line: number; column: number; map: SourceMap }[] };

export type CostShare = { owner: string; percent: number };
export type ProfileSummary = { file: string; samples: number; owners: CostShare[] };

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

function parseMap(raw: RawMap): SourceMap {
  if ("sections" in raw) return { kind: "sections", sections: raw.sections.map((s) => ({ line: s.offset.line, column: s.offset.column, map: parseMap(s.map) })) };
  // Only the source index is needed; it is relative across the whole string, the column per line.
  let source = 0;
  const lines: Lines = raw.mappings.split(";").map((line) => {
    let column = 0;
    const segments: [number, number][] = [];
    for (const segment of line.split(",")) {
      if (!segment) continue;
      const [dColumn = 0, dSource] = decodeVlq(segment);
      column += dColumn;
      if (dSource !== undefined) {
        source += dSource;
        segments.push([column, source]);
      }
    }
    return segments;
  });
  return { kind: "plain", sources: raw.sources, lines };
}

function lookup(map: SourceMap, line: number, column: number): string | null {
  if (map.kind === "sections") {
    const section = map.sections.filter((s) => s.line < line || (s.line === line && s.column <= column)).at(-1);
    return section ? lookup(section.map, line - section.line, line === section.line ? column - section.column : column) : null;
  }
  const segments = map.lines[line] ?? [];
  let found: [number, number] | undefined;
  for (const segment of segments) {
    if (segment[0] > column) break;
    found = segment;
  }
  return found ? (map.sources[found[1]] ?? null) : null;
}

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
  const sourceMapFor = (url: string): SourceMap | null => {
    if (!maps.has(url)) {
      const mapFile = `${fileURLToPath(url)}.map`;
      maps.set(url, existsSync(mapFile) ? parseMap(JSON.parse(readFileSync(mapFile, "utf8")) as RawMap) : null);
    }
    return maps.get(url) ?? null;
  };
  // null: generic Node internals (WebCrypto jobs, promises), charged to the frame that called them.
  const ownerOf = ({ functionName, url, lineNumber, columnNumber }: CallFrame): string | null => {
    if (/@electric-sql\/pglite/.test(url) || url.startsWith("wasm://")) return "PGlite (Postgres in WASM)";
    if (url === "node:zlib") return "gzip of responses (node:zlib)";
    if (NODE_HTTP.test(url) || ["writev", "writeUtf8String", "writeLatin1String"].includes(functionName)) return "HTTP and sockets (Node)";
    if (functionName === "(garbage collector)") return "garbage collector";
    if (["(idle)", "(program)", "(root)"].includes(functionName)) return "idle";
    if (url.includes("/.next/")) {
      const source = url.startsWith("file://") ? lookup(sourceMapFor(url) ?? { kind: "plain", sources: [], lines: [] }, lineNumber, columnNumber) : null;
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
