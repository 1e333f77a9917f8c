/** The bench's results: their shape, the ratios and targets, and the printed tables. Bench tooling only. */
import type { ProfileSummary } from "./cpu-profile";
import type { FloorFlow, InProcessResult } from "./in-process";
import type { LevelResult, Percentiles } from "./measure";
import type { PageWeight } from "./page-weight";
import type { ProxyCost } from "./proxy-cost";

export type QueryCounts = Record<"signInPage" | "signInVerify" | "accountPage", string[]>;

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
  /**
   * Next.js's own cost per request at concurrency 8 (embedded mode): a fetched server action
   * refused by its input check, and the sign-in's form post refused by its input check.
   */
  requestFloor?: { action: LevelResult; form: LevelResult };
  /** The sign-in page alone (GET /login) at c=8: a sign-in's figures below are what comes after it. */
  signInPage?: LevelResult;
  /** The in-process floor at concurrency 8, measured in slices between this server's own (see run.ts). */
  floorAt8: Partial<Record<FloorFlow, LevelResult>>;
};

export type Skipped = { skipped: string };

export type BenchResults = {
  startedAt: string;
  quick: boolean;
  cpuProf: boolean;
  machine: { cpus: number; node: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  /** Wall-clock seconds per phase. */
  phases: Record<string, number>;
  crypto: InProcessResult["crypto"];
  /** Levels at concurrency 1 and 32; concurrency 8 is in each server run's floorAt8. */
  inProcess: Omit<InProcessResult, "crypto"> & { label: string };
  embedded: ServerRun;
  services: ServerRun | Skipped;
  pages: PageWeight[];
  /** The bare page, and the peak RSS of the `next start` that served it. */
  frameworkFloor: PageWeight & { serverPeakRssBytes: number | null };
  ratios: ReturnType<typeof computeRatios>;
  signIn?: ReturnType<typeof signInSummary>;
};

type Flow = "signIn" | "registration" | "email";
const FLOWS: { flow: Flow; name: string }[] = [
  { flow: "signIn", name: "passkey sign-in" },
  { flow: "registration", name: "sign-up passkey step" },
  { flow: "email", name: "email request" },
];
type PerFlow = Record<Flow, number>;

/** The figures of one server run at concurrency 8, against the in-process floor's. */
export type ServerRatios = {
  /** Server ceremonies per second over the floor's. */
  throughput: PerFlow;
  /** CPU time per ceremony of the server process over the floor process's. */
  cpuPerCeremony: PerFlow;
  /** Mean bytes received per ceremony, all its responses as sent on the wire. */
  bytesPerCeremony: PerFlow;
};

const at8 = (levels: LevelResult[]) => levels.find((l) => l.concurrency === 8);

/** Sign-in's targets from issue 15: server CPU within 3x of the floor, and at most 2.5 KB received. */
const SIGN_IN_CPU_RATIO_TARGET = 3.0;
const SIGN_IN_BYTES_TARGET = 2.5 * 1024;

/** What a sign-in costs after its page (the page alone measured in the same run), as before pages carried the options. */
export function afterSignInPage(run: ServerRun): { cpuMs: number; bytes: number } | null {
  const signIn = at8(run.signIn);
  if (!signIn) return null;
  const pageMs = run.signInPage?.cpuMsPerCeremony ?? 0;
  const bytes = signIn.bytes ? signIn.bytes.total - (signIn.bytes.steps.page ?? 0) : Number.NaN;
  return { cpuMs: signIn.cpuMsPerCeremony - pageMs, bytes };
}

function serverRatios(run: ServerRun): ServerRatios {
  const per = (value: (server: LevelResult, floor: LevelResult, flow: Flow) => number): PerFlow => {
    const of = (flow: Flow) => {
      const server = at8(run[flow]);
      const floor = run.floorAt8[flow];
      return server && floor ? value(server, floor, flow) : Number.NaN;
    };
    return { signIn: of("signIn"), registration: of("registration"), email: of("email") };
  };
  const after = afterSignInPage(run);
  return {
    throughput: per((s, f) => s.perSecond / f.perSecond),
    cpuPerCeremony: per((s, f, flow) => (flow === "signIn" && after ? after.cpuMs : s.cpuMsPerCeremony) / f.cpuMsPerCeremony),
    bytesPerCeremony: per((s, _f, flow) => (flow === "signIn" && after ? after.bytes : (s.bytes?.total ?? Number.NaN))),
  };
}

/** Each server's ratios, sign-in's verify p95, each page's compressed JS over the framework floor's, and the targets. */
export function computeRatios(embedded: ServerRun, services: ServerRun | Skipped, pages: PageWeight[], floor: PageWeight) {
  const e = serverRatios(embedded);
  const s = "skipped" in services ? null : serverRatios(services);
  const signInVerifyP95AtC8Ms = at8(embedded.signIn)?.steps.verify?.p95 ?? Number.NaN;
  const pageJs = Object.fromEntries(pages.map((p) => [p.label, p.jsBytes / floor.jsBytes]));
  const signInTargets = (where: string, r: ServerRatios) => [
    { name: `sign-in CPU per ceremony, ${where} / in-process floor, c=8`, value: `${r.cpuPerCeremony.signIn.toFixed(1)}x`, target: `<= ${SIGN_IN_CPU_RATIO_TARGET.toFixed(1)}x`, met: r.cpuPerCeremony.signIn <= SIGN_IN_CPU_RATIO_TARGET },
    { name: `bytes received per sign-in, ${where}`, value: kb(r.bytesPerCeremony.signIn), target: `<= ${kb(SIGN_IN_BYTES_TARGET)}`, met: r.bytesPerCeremony.signIn <= SIGN_IN_BYTES_TARGET },
  ];
  const targets = [
    ...signInTargets("server (embedded)", e),
    ...(s ? signInTargets("server (real services)", s) : []),
    { name: "sign-in throughput, server (embedded) / in-process floor, c=8", value: e.throughput.signIn.toFixed(2), target: ">= 0.50", met: e.throughput.signIn >= 0.5 },
    { name: "sign-in verify p95, server (embedded), c=8", value: `${signInVerifyP95AtC8Ms.toFixed(1)} ms`, target: "< 25 ms", met: signInVerifyP95AtC8Ms < 25 },
    ...pages.map((p) => ({ name: `JS of ${p.label} / framework floor`, value: `${(pageJs[p.label] ?? Number.NaN).toFixed(2)}x`, target: "<= 1.15x", met: (pageJs[p.label] ?? Infinity) <= 1.15 })),
  ];
  return { embedded: e, services: s, signInVerifyP95AtC8Ms, pageJs, targets };
}

/**
 * The passkey sign-in in a few figures (embedded, c=8): the requests after the sign-in page, their
 * server CPU (the whole ceremony minus the page alone, both measured in this run), the in-process
 * floor, one refused request of the kind the sign-in makes after its page (a form posted to the
 * sign-in action: Next.js and our proxy's floor), the bytes received after the
 * page, the cookies a signed-in browser sends with every request, and what proxy.ts's own code
 * costs per request (proxy-cost.ts).
 */
export function signInSummary(run: ServerRun, cookieBytesPerRequest: number, proxy: ProxyCost) {
  const at8 = run.signIn.find((l) => l.concurrency === 8);
  const after = afterSignInPage(run);
  return {
    requestsAfterPage: at8 ? Object.keys(at8.steps).filter((name) => name !== "page").length : Number.NaN,
    cpuMs: after?.cpuMs ?? Number.NaN,
    cpuMsWithPage: at8?.cpuMsPerCeremony ?? Number.NaN,
    pageMs: run.signInPage?.cpuMsPerCeremony ?? Number.NaN,
    floorMs: run.floorAt8.signIn?.cpuMsPerCeremony ?? Number.NaN,
    nextRequestFloorMs: run.requestFloor?.form.cpuMsPerCeremony ?? Number.NaN,
    // The proxy's own work on the one request after the page (Next's cost of calling it is in the floors).
    proxyMsPerRequest: proxy.formPost,
    proxyMsByRequest: proxy,
    bytes: after?.bytes ?? Number.NaN,
    cookieBytesPerRequest,
  };
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const ms = (p: Percentiles | undefined) => (p ? `${p.p50.toFixed(1)} / ${p.p95.toFixed(1)} / ${p.p99.toFixed(1)}` : "-");
const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;
const mb = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? "unknown" : `${(bytes / 1024 / 1024).toFixed(0)} MB`);

type TableRun = { label: string; levels: LevelResult[]; floorAt8?: { label: string; level: LevelResult | undefined }[] };

function flowTable(title: string, steps: string[], runs: TableRun[]): string {
  const rows: string[][] = [];
  const row = (label: string, level: LevelResult) => [
    label,
    String(level.concurrency),
    String(level.count),
    level.perSecond.toFixed(1),
    level.cpuMsPerCeremony.toFixed(1),
    level.bytes ? kb(level.bytes.total) : "-",
    ...steps.map((s) => ms(level.steps[s])),
  ];
  for (const c of [...new Set(runs.flatMap((r) => r.levels.map((l) => l.concurrency)))].sort((a, b) => a - b)) {
    for (const run of runs) {
      const level = run.levels.find((l) => l.concurrency === c);
      if (!level) continue;
      rows.push(row(run.label, level));
      if (c === 8) for (const floor of run.floorAt8 ?? []) if (floor.level) rows.push(row(`  ${floor.label}`, floor.level));
    }
  }
  return `${title}\n${table(["where", "c", "n", "per s", "CPU ms each", "received each", ...steps.map((s) => `${s} p50/p95/p99 ms`)], rows)}`;
}

export function formatReport(r: BenchResults): string {
  const servers: { label: string; run: ServerRun; ratios: ServerRatios }[] = [
    { label: "server, embedded", run: r.embedded, ratios: r.ratios.embedded },
    ...("skipped" in r.services || !r.ratios.services ? [] : [{ label: "server, real services", run: r.services, ratios: r.ratios.services }]),
  ];
  const runs = (flow: Flow): TableRun[] => [
    ...servers.map((s) => ({
      label: s.label,
      levels: s.run[flow],
      floorAt8: [
        { label: "in-process floor, interleaved", level: s.run.floorAt8[flow] },
        ...(flow === "signIn" ? [{ label: "in-process floor + session, interleaved", level: s.run.floorAt8.signInWithSession }] : []),
      ],
    })),
    { label: "in-process floor", levels: r.inProcess[flow] },
  ];
  const f = r.signIn;
  const out: string[] = [
    `Passwordless bench ${r.startedAt}${r.quick ? " (--quick: smoke figures, not for quoting)" : ""}${r.cpuProf ? " (--cpu-prof: the embedded server ran under the profiler)" : ""}`,
    `machine: ${r.machine.cpus} CPUs, Node ${r.machine.node}, load average ${r.machine.loadAverageBefore.map((l) => l.toFixed(1)).join(" ")} before, ${r.machine.loadAverageAfter.map((l) => l.toFixed(1)).join(" ")} after`,
    `server, embedded: ${r.embedded.label}`,
    "skipped" in r.services ? `server, real services: skipped (${r.services.skipped})` : `server, real services: ${r.services.label}`,
    `in-process floor: ${r.inProcess.label}; at c=8 it runs in slices between each server's (floor, server, floor, ..., floor: the indented rows), and ratios are taken against those`,
    `"received each": bytes of all the ceremony's responses as sent on the wire (status line, headers, body gzipped by next start for Chromium's Accept-Encoding)`,
    "",
    flowTable("Passkey sign-in (discoverable): the page (GET /login, options rendered in), verify (the assertion posted as a form to the sign-in action: signed in, 303)", ["page", "verify"], runs("signIn")),
    ...(f
      ? [
          `After the page (c=8, embedded): ${f.requestsAfterPage} requests, ${f.cpuMs.toFixed(2)} ms of server CPU (with the page ${f.cpuMsWithPage.toFixed(2)}, the page alone ${f.pageMs.toFixed(2)}; one refused form post to the action ${f.nextRequestFloorMs.toFixed(2)}; in-process floor ${f.floorMs.toFixed(2)}), ${f.bytes.toFixed(0)} B received; a signed-in browser then sends ${f.cookieBytesPerRequest} B of cookies per request; proxy.ts's own code ${f.proxyMsPerRequest.toFixed(3)} ms per request after the page (page ${f.proxyMsByRequest.page.toFixed(3)}, the form post ${f.proxyMsByRequest.formPost.toFixed(3)}, a fetched action ${f.proxyMsByRequest.action.toFixed(3)})`,
        ]
      : []),
  ];
  /** A blank line, a title and a table. */
  const section = (title: string, headers: string[], rows: string[][]) => out.push("", title, table(headers, rows));
  out.push("", flowTable("Sign-up passkey step (proven sign-up): options, verify (posted as a form: saved, signed in, 303)", ["options", "verify"], runs("registration")));
  out.push("", flowTable('"Email me a sign-in link" request', ["request"], runs("email")));
  section(
    "Bytes received per ceremony at c=8, by step (mean; headers + compressed body)",
    ["ceremony", "steps (bytes)", "total"],
    servers.flatMap((server) =>
      FLOWS.flatMap(({ flow, name }) => {
        const bytes = at8(server.run[flow])?.bytes;
        return bytes ? [[`${server.label}: ${name}`, Object.entries(bytes.steps).map(([step, b]) => `${step} ${b.toFixed(0)}`).join(", "), `${bytes.total.toFixed(0)} B`]] : [];
      }),
    ),
  );
  section("Crypto floor (one thread)", ["what", "figure"], [
    ["P-256 verify, node:crypto", `${r.crypto.p256VerifyPerSecond.toFixed(0)} /s`],
    ["P-256 JWK import + WebCrypto verify (as @simplewebauthn does)", `${r.crypto.p256ImportAndVerifyPerSecond.toFixed(0)} /s`],
    ["argon2id hash, app parameters, p50 / p95", `${r.crypto.argon2idHashMs.p50.toFixed(1)} / ${r.crypto.argon2idHashMs.p95.toFixed(1)} ms`],
  ]);
  const floorJs = r.frameworkFloor.jsBytes;
  section("Page weight, first load in Chromium (compressed bytes transferred)", ["page", "requests", "JS files", "JS", "JS / floor", "total"], [...r.pages, r.frameworkFloor].map((p) => [p.label, String(p.requests), String(p.jsFiles), kb(p.jsBytes), (p.jsBytes / floorJs).toFixed(2) + "x", kb(p.totalBytes)]));
  const services = "skipped" in r.services ? null : r.services;
  const bareNext = r.frameworkFloor.serverPeakRssBytes;
  const diff = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null ? mb(a - b) : "-");
  section("Memory: peak RSS (VmHWM), and where the embedded server's goes", ["process", "peak RSS", "share"], [
    ["next start, embedded (PGlite in memory)", mb(r.embedded.peakRssBytes), ""],
    ["next start, real services (no PGlite)", services ? mb(services.peakRssBytes) : "skipped", services ? `PGlite in memory: embedded - this = ${diff(r.embedded.peakRssBytes, services.peakRssBytes)}` : ""],
    ["next start of the bare page (framework floor)", mb(bareNext), services ? `the app's code and load: real services - this = ${diff(services.peakRssBytes, bareNext)}` : ""],
    ["in-process floor (lib + PGlite, no Next.js)", mb(r.inProcess.peakRssBytes), `RSS ${mb(r.inProcess.rssBeforeDatabaseBytes)} before PGlite opens, ${mb(r.inProcess.rssAfterDatabaseBytes)} once migrated (+${diff(r.inProcess.rssAfterDatabaseBytes, r.inProcess.rssBeforeDatabaseBytes)})`],
  ]);
  const q = services?.queries;
  if (q) {
    section("SQL statements per request (real services, from PostgreSQL's statement log)", ["request", "statements"], [
      ["sign-in page (GET /login)", String(q.signInPage.length)],
      ["sign-in verify", String(q.signInVerify.length)],
      ["GET /account (signed in)", String(q.accountPage.length)],
    ]);
  }
  const profile = r.embedded.profile;
  if (profile) section(`Where the embedded server's CPU time went, sign-in at c=8 (${profile.samples} samples)`, ["owner", "share"], profile.owners.map((o) => [o.owner, `${o.percent.toFixed(1)}%`]));
  section(
    "Ratios at concurrency 8 (server / in-process floor)",
    ["server", "flow", "throughput", "CPU per ceremony", "received each"],
    servers.flatMap((s) => FLOWS.map(({ flow, name }) => [s.label, name, s.ratios.throughput[flow].toFixed(2), `${s.ratios.cpuPerCeremony[flow].toFixed(1)}x`, kb(s.ratios.bytesPerCeremony[flow])])),
  );
  const rf = r.embedded.requestFloor;
  const signIn8 = afterSignInPage(r.embedded);
  const floor8 = r.embedded.floorAt8.signIn?.cpuMsPerCeremony ?? Number.NaN;
  const session8 = r.embedded.floorAt8.signInWithSession?.cpuMsPerCeremony ?? Number.NaN;
  if (rf && signIn8 && Number.isFinite(floor8) && Number.isFinite(session8)) {
    const framework = rf.form.cpuMsPerCeremony;
    const received = (l: LevelResult) => (l.bytes ? `${l.bytes.total.toFixed(0)} B` : "-");
    section("Next.js's own cost per request at c=8 (embedded server; the proxy included, almost no app work behind it)", ["request", "n", "CPU ms each", "received each"], [
      ["server action refused by its input check (passkeyOptions)", String(rf.action.count), rf.action.cpuMsPerCeremony.toFixed(2), received(rf.action)],
      ["the sign-in's form post with no assertion (refused by its input check, 303)", String(rf.form.count), rf.form.cpuMsPerCeremony.toFixed(2), received(rf.form)],
    ]);
    const part = (label: string, msEach: number) => [label, `${msEach.toFixed(1)} ms`, `${((100 * msEach) / signIn8.cpuMs).toFixed(0)}%`, `${(msEach / floor8).toFixed(1)}x`];
    section(`Where a sign-in's ${signIn8.cpuMs.toFixed(1)} ms of server CPU after its page (c=8, embedded) goes, in units of the in-process floor's ${floor8.toFixed(1)} ms`, ["part", "CPU", "share", "x floor"], [
      part("Next.js per request, x1 (the form post, as above)", framework),
      part('the ceremony in-process + the session\'s work (the "+ session" rows)', session8),
      part("the rest: rate limit, cookies and headers, decoding the assertion, GC", signIn8.cpuMs - framework - session8),
    ]);
  }
  section("Targets", ["target", "value", "wanted", ""], r.ratios.targets.map((x) => [x.name, x.value, x.target, x.met ? "met" : "MISSED"]));
  out.push("", `phases (s): ${Object.entries(r.phases).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")}`);
  return out.join("\n");
}
