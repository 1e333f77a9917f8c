/** The bench's results: their shape, the ratios and targets, and the printed tables. Bench tooling only. */
import type { ProfileSummary } from "./cpu-profile";
import type { CryptoFloor } from "./in-process";
import type { LevelResult, Percentiles } from "./measure";
import type { PageWeight } from "./page-weight";

export type QueryCounts = Record<"signInOptions" | "signInVerify" | "accountPage", string[]>;

export type ServerRun = {
  label: string;
  signIn: LevelResult[];
  registration: LevelResult[];
  email: LevelResult[];
  peakRssBytes: number | null;
  /** SQL each request sent (real-services mode only: from PostgreSQL's statement log). */
  queries?: QueryCounts;
  /** With --cpu-prof: where the server's CPU time went during sign-in at concurrency 8. */
  profile?: ProfileSummary;
};

export type Skipped = { skipped: string };

export type BenchResults = {
  startedAt: string;
  quick: boolean;
  cpuProf: boolean;
  machine: { cpus: number; node: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  /** Wall-clock seconds per phase. */
  phases: Record<string, number>;
  crypto: CryptoFloor;
  inProcess: { label: string; databaseStartSeconds: number; peakRssBytes: number | null; signIn: LevelResult[]; registration: LevelResult[]; email: LevelResult[] };
  embedded: ServerRun;
  services: ServerRun | Skipped;
  pages: PageWeight[];
  frameworkFloor: PageWeight;
  ratios: Ratios;
};

export type Ratios = {
  /** Server ceremonies per second over the in-process floor's, at concurrency 8. */
  throughputAtC8: { signIn: number; registration: number; email: number };
  /** CPU time per ceremony of the server process over the floor process's, at concurrency 8. */
  cpuPerCeremonyAtC8: { signIn: number; registration: number; email: number };
  signInVerifyP95AtC8Ms: number;
  /** Each page's compressed JS over the framework floor's. */
  pageJs: Record<string, number>;
  targets: { name: string; value: string; target: string; met: boolean }[];
};

const at8 = (levels: LevelResult[]) => levels.find((l) => l.concurrency === 8);

export function computeRatios(inProcess: BenchResults["inProcess"], embedded: ServerRun, pages: PageWeight[], floor: PageWeight): Ratios {
  const ratio = (server: LevelResult[], base: LevelResult[]) => (at8(server)?.perSecond ?? Number.NaN) / (at8(base)?.perSecond ?? Number.NaN);
  const throughputAtC8 = {
    signIn: ratio(embedded.signIn, inProcess.signIn),
    registration: ratio(embedded.registration, inProcess.registration),
    email: ratio(embedded.email, inProcess.email),
  };
  const cpu = (server: LevelResult[], base: LevelResult[]) => (at8(server)?.cpuMsPerCeremony ?? Number.NaN) / (at8(base)?.cpuMsPerCeremony ?? Number.NaN);
  const cpuPerCeremonyAtC8 = {
    signIn: cpu(embedded.signIn, inProcess.signIn),
    registration: cpu(embedded.registration, inProcess.registration),
    email: cpu(embedded.email, inProcess.email),
  };
  const signInVerifyP95AtC8Ms = at8(embedded.signIn)?.steps.verify?.p95 ?? Number.NaN;
  const pageJs = Object.fromEntries(pages.map((p) => [p.label, p.jsBytes / floor.jsBytes]));
  const targets = [
    { name: "sign-in throughput, server / in-process floor, c=8", value: throughputAtC8.signIn.toFixed(2), target: ">= 0.50", met: throughputAtC8.signIn >= 0.5 },
    { name: "sign-in verify p95, server, c=8", value: `${signInVerifyP95AtC8Ms.toFixed(1)} ms`, target: "< 25 ms", met: signInVerifyP95AtC8Ms < 25 },
    ...pages.map((p) => ({ name: `JS of ${p.label} / framework floor`, value: `${(pageJs[p.label] ?? Number.NaN).toFixed(2)}x`, target: "<= 1.15x", met: (pageJs[p.label] ?? Infinity) <= 1.15 })),
  ];
  return { throughputAtC8, cpuPerCeremonyAtC8, signInVerifyP95AtC8Ms, pageJs, targets };
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const ms = (p: Percentiles | undefined) => (p ? `${p.p50.toFixed(1)} / ${p.p95.toFixed(1)} / ${p.p99.toFixed(1)}` : "-");
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function flowTable(title: string, steps: string[], runs: { label: string; levels: LevelResult[] }[]): string {
  const rows: string[][] = [];
  for (const c of [...new Set(runs.flatMap((r) => r.levels.map((l) => l.concurrency)))]) {
    for (const run of runs) {
      const level = run.levels.find((l) => l.concurrency === c);
      if (level) rows.push([run.label, String(c), String(level.count), level.perSecond.toFixed(1), level.cpuMsPerCeremony.toFixed(1), ...steps.map((s) => ms(level.steps[s]))]);
    }
  }
  return `${title}\n${table(["where", "c", "n", "per s", "CPU ms each", ...steps.map((s) => `${s} p50/p95/p99 ms`)], rows)}`;
}

export function formatReport(r: BenchResults): string {
  const runs = (pick: (run: ServerRun) => LevelResult[], floor: LevelResult[]) => [
    { label: "server, embedded", levels: pick(r.embedded) },
    ...("skipped" in r.services ? [] : [{ label: "server, real services", levels: pick(r.services) }]),
    { label: "in-process floor", levels: floor },
  ];
  const out: string[] = [];
  out.push(`Passwordless bench ${r.startedAt}${r.quick ? " (--quick: smoke figures, not for quoting)" : ""}${r.cpuProf ? " (--cpu-prof: the embedded server ran under the profiler)" : ""}`);
  out.push(`machine: ${r.machine.cpus} CPUs, Node ${r.machine.node}, load average ${r.machine.loadAverageBefore.map((l) => l.toFixed(1)).join(" ")} before, ${r.machine.loadAverageAfter.map((l) => l.toFixed(1)).join(" ")} after`);
  out.push(`server, embedded: ${r.embedded.label}`);
  out.push("skipped" in r.services ? `server, real services: skipped (${r.services.skipped})` : `server, real services: ${r.services.label}`);
  out.push(`in-process floor: ${r.inProcess.label}`);
  out.push("");
  out.push(flowTable("Passkey sign-in (discoverable): options + verify", ["options", "verify"], runs((s) => s.signIn, r.inProcess.signIn)));
  out.push("");
  out.push(flowTable("Sign-up passkey step (proven sign-up): options + verify", ["options", "verify"], runs((s) => s.registration, r.inProcess.registration)));
  out.push("");
  out.push(flowTable('"Email me a sign-in link" request', ["request"], runs((s) => s.email, r.inProcess.email)));
  out.push("");
  out.push("Crypto floor (one thread)");
  out.push(
    table(
      ["what", "figure"],
      [
        ["P-256 verify, node:crypto", `${r.crypto.p256VerifyPerSecond.toFixed(0)} /s`],
        ["P-256 JWK import + WebCrypto verify (as @simplewebauthn does)", `${r.crypto.p256ImportAndVerifyPerSecond.toFixed(0)} /s`],
        ["argon2id hash, app parameters, p50 / p95", `${r.crypto.argon2idHashMs.p50.toFixed(1)} / ${r.crypto.argon2idHashMs.p95.toFixed(1)} ms`],
      ],
    ),
  );
  out.push("");
  out.push("Page weight, first load in Chromium (compressed bytes transferred)");
  out.push(
    table(
      ["page", "requests", "JS files", "JS", "JS / floor", "total"],
      [...r.pages, r.frameworkFloor].map((p) => [p.label, String(p.requests), String(p.jsFiles), kb(p.jsBytes), (p.jsBytes / r.frameworkFloor.jsBytes).toFixed(2) + "x", kb(p.totalBytes)]),
    ),
  );
  out.push("");
  out.push("Memory: peak RSS");
  const rss = (b: number | null) => (b === null ? "unknown" : `${(b / 1024 / 1024).toFixed(0)} MB`);
  out.push(
    table(
      ["process", "peak RSS"],
      [
        ["next start, embedded", rss(r.embedded.peakRssBytes)],
        ["next start, real services", "skipped" in r.services ? "skipped" : rss(r.services.peakRssBytes)],
        ["in-process floor (lib + PGlite, no Next.js)", rss(r.inProcess.peakRssBytes)],
      ],
    ),
  );
  if (!("skipped" in r.services) && r.services.queries) {
    out.push("");
    out.push("SQL statements per request (real services, from PostgreSQL's statement log)");
    const q = r.services.queries;
    out.push(table(["request", "statements"], [["sign-in options", String(q.signInOptions.length)], ["sign-in verify", String(q.signInVerify.length)], ["GET /account (signed in)", String(q.accountPage.length)]]));
  }
  if (r.embedded.profile) {
    out.push("");
    out.push(`Where the embedded server's CPU time went, sign-in at c=8 (${r.embedded.profile.samples} samples)`);
    out.push(table(["owner", "share"], r.embedded.profile.owners.map((o) => [o.owner, `${o.percent.toFixed(1)}%`])));
  }
  out.push("");
  out.push("Ratios at concurrency 8 (server, embedded / in-process floor)");
  const t = r.ratios.throughputAtC8;
  out.push(`  throughput: sign-in ${t.signIn.toFixed(2)}, sign-up passkey step ${t.registration.toFixed(2)}, email request ${t.email.toFixed(2)}`);
  const c = r.ratios.cpuPerCeremonyAtC8;
  out.push(`  CPU per ceremony (server process / floor process): sign-in ${c.signIn.toFixed(1)}x, sign-up passkey step ${c.registration.toFixed(1)}x, email request ${c.email.toFixed(1)}x`);
  out.push("");
  out.push("Targets");
  out.push(table(["target", "value", "wanted", ""], r.ratios.targets.map((x) => [x.name, x.value, x.target, x.met ? "met" : "MISSED"])));
  out.push("");
  out.push(`phases (s): ${Object.entries(r.phases).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")}`);
  return out.join("\n");
}
