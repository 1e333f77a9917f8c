/**
 * The soak's journeys (scripts/soak/soak.ts), driven as a browser drives them with the bench's action
 * client and the software authenticator, and what they saw: every step's time, outcome and the
 * instance that answered, and per person what the databases must now hold. Sometimes a journey
 * presents a code, assertion or registration a second time on purpose: that must be refused.
 * Tooling only: never imported by app code.
 */
import { z } from "zod";
import { messages, type ErrorCode } from "@/lib/shared/errors";
import { SoftCredential } from "@/test/soft-authenticator";
import { HttpError, VirtualBrowser, type ActionResult, type AppServer } from "@/test/action-client";
import { creationOptionsSchema, expectRedirect, nextIp, requestOptionsSchema, valueOf } from "../bench/server-load";

export type JourneyKind = "signUp" | "passkeySignIn" | "emailSignIn" | "addPasskey" | "removePasskey" | "signOutOthers";

/** What a person's sessions must number: at least `lo`, at most `hi` (an unanswered step may or may not have made one). */
export type Person = {
  username: string;
  email: string;
  credential: SoftCredential;
  /** Passkeys added from the account page (and not removed). */
  extras: SoftCredential[];
  /** Signed in at sign-up; adds and removes passkeys and signs the others out. */
  main: VirtualBrowser;
  sessions: { lo: number; hi: number };
  emailSignIns: number;
  busy: boolean;
};

/**
 * A sign-up as its browser saw it: `proven` (the code was accepted: the user exists), `verified`
 * (the passkey was saved); `unsure`, the step that got no clear answer, which may or may not have.
 */
export type SignUp = { username: string; email: string; credentialId: string; proven: boolean; verified: boolean; unsure: "" | "code" | "verify" };

/**
 * How a failed step ended. Clear: an action's refusal with a message (`refused:<code>`), a 503, or
 * (during a fault) the 500 Next answers for an action that threw, carrying only a digest: the page
 * shows its "try again" message or error page. Not: another 500 or status, an answer the page
 * wouldn't understand, or no answer in time.
 */
export type FailureKind = `refused:${string}` | "http503" | "friendly500" | `http${number}` | "timeout" | "connection" | "unexpected";
export const isClear = (kind: FailureKind) => kind.startsWith("refused:") || kind === "http503" || kind === "friendly500";

export type StepRecord = { step: string; at: number; ms: number; instance: string | null; failure?: FailureKind; detail?: string };

/** A refusal: the action answered ok:false, or a form state with a message. */
class Refused extends Error {
  constructor(readonly code: string) {
    super(`refused: ${code}`);
  }
}

const refusalSchema = z.object({ ok: z.literal(false), error: z.string() });
const formStateSchema = z.object({ failure: z.string().optional(), error: z.string().optional(), fieldErrors: z.record(z.string(), z.string()).optional() }).refine((s) => s.failure ?? s.error ?? s.fieldErrors);
const signedOutSchema = z.object({ done: z.string().regex(/^Signed out \d+ other/) });

/** The code for a message the page shows (a describeFailure text may add "N tries left."). */
function codeOf(text: string): string {
  const found = (Object.entries(messages) as [ErrorCode, string][]).find(([, message]) => text.startsWith(message));
  return found ? found[0] : text in messages ? text : "message";
}

/** Throws Refused if the action said no in any of the shapes the pages understand. */
function refusal(result: ActionResult): void {
  if (!("value" in result)) return;
  const refused = refusalSchema.safeParse(result.value);
  if (refused.success) throw new Refused(refused.data.error);
  const state = formStateSchema.safeParse(result.value);
  if (state.success) throw new Refused(codeOf(state.data.failure ?? state.data.error ?? Object.values(state.data.fieldErrors ?? {})[0] ?? ""));
}

/** A form-posted action's 303 (the passkey sign-in, sign-up's passkey step): to `to`, or a Refused with the failure it came back with. */
function postedTo(location: string, to: string, what: string): void {
  if (location === to) return;
  const failure = new URL(location, "http://soak.invalid").searchParams.get("passkey_error");
  throw failure ? new Refused(failure) : new Error(`${what}: 303 to ${location}`);
}

/** Whether the app answered the failed step, rather than the front for an instance that died mid-request, or nobody in time. */
function answered(error: unknown, browser: VirtualBrowser): boolean {
  const kind = classify(error);
  return kind !== "timeout" && kind !== "connection" && browser.lastHeaders?.["x-soak-instance"] !== "front";
}

/** The action's value (valueOf), a refusal first thrown as one. */
function ok<T>(result: ActionResult, schema: z.ZodType<T>, what: string): T {
  refusal(result);
  return valueOf(result, schema, what);
}

function redirectTo(result: ActionResult, to: string, what: string): void {
  refusal(result);
  expectRedirect(result, to, what);
}

/**
 * Next's answer to an action that threw (only a digest), or to one whose redirect's page failed
 * to render (that page with its error boundary): the page shows its "try again" message or page.
 */
const FRIENDLY_500 = /"digest":"\d+"/;
/** What must never reach a browser (as in e2e/services/faults.spec.ts): stack frames, driver errors, source paths. */
const LEAKS = /\bat [\w.<>]+ \(|ECONNREFUSED|UpstashError|Upstash [A-Z]+ failed|PostgresError|Failed query|node:internal|\.next\/server|\.tsx?:\d+/;

function classify(error: unknown): FailureKind {
  if (error instanceof Refused) return `refused:${error.code}`;
  if (error instanceof HttpError) return error.status === 500 && FRIENDLY_500.test(error.body) && !LEAKS.test(error.body) ? "friendly500" : `http${error.status}`;
  const message = error instanceof Error ? error.message : String(error);
  const status = /: HTTP (\d{3})\b/.exec(message)?.[1];
  if (status) return `http${Number(status)}`;
  if (/timed out/.test(message)) return "timeout";
  if (/ECONNRESET|ECONNREFUSED|socket hang up|EPIPE|aborted/.test(message)) return "connection";
  return "unexpected";
}

export class Soak {
  readonly steps: StepRecord[] = [];
  readonly people: Person[] = [];
  readonly signUps: SignUp[] = [];
  /** A spent code, assertion, registration or passkey removal accepted again. */
  readonly acceptedTwice: string[] = [];
  /** Per credential id: the highest signature counter the server accepted. */
  readonly acceptedCounters = new Map<string, number>();
  /** Per credential id added from the account page: whether the browser saw it saved (null: no answer). */
  readonly added = new Map<string, boolean | null>();
  /** Per credential id removed from the account page: whether the browser saw it gone (null: no answer). */
  readonly removed = new Map<string, boolean | null>();
  /** `signOutOthers` said it ended more sessions than any browser was given. */
  readonly surplusSessions: string[] = [];

  constructor(
    private readonly app: AppServer,
    private readonly mailUrl: string,
    private readonly runId: string,
    /** How often a journey tries a spent one again (0-1). */
    private readonly replayRate = 0.25,
  ) {}

  /** Times one request of a journey; on failure records how it failed and rethrows. */
  private async step<T>(name: string, browser: VirtualBrowser, run: () => Promise<T>): Promise<T> {
    const start = performance.now();
    const record: StepRecord = { step: name, at: Date.now(), ms: 0, instance: null };
    this.steps.push(record);
    try {
      return await run();
    } catch (error) {
      record.failure = classify(error);
      if (!(error instanceof Refused)) record.detail = String(error instanceof Error ? error.message : error).slice(0, 300);
      throw error;
    } finally {
      record.ms = performance.now() - start;
      const servedBy = browser.lastHeaders?.["x-soak-instance"];
      record.instance = typeof servedBy === "string" ? servedBy : null;
    }
  }

  /** Presents a spent one again: it must be refused (any failure); being accepted is counted. */
  private async replay(what: string, accepted: () => Promise<boolean>): Promise<void> {
    if (Math.random() >= this.replayRate) return;
    if (await accepted().catch(() => false)) this.acceptedTwice.push(what);
  }

  /**
   * The newest code mailed to `email` since `since` whose text has `marker` (every code mail's
   * subject is "<code> is your … code"; the mail may trail the answer a little).
   */
  private async mailedCode(email: string, marker: string, since: number): Promise<string> {
    for (let tries = 0; tries < 50; tries++) {
      const res = await fetch(`${this.mailUrl}/messages?to=${encodeURIComponent(email)}`, { signal: AbortSignal.timeout(5000) });
      const mails = (await res.json()) as { subject: string; text: string; receivedAt: string }[];
      const mail = mails.find((m) => m.text.includes(marker) && Date.parse(m.receivedAt) >= since);
      const code = mail?.text.match(/\b(\d{6})\b/)?.[1];
      if (code) return code;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Refused("no_mail");
  }

  async run(kind: JourneyKind, person?: Person): Promise<void> {
    if (kind === "signUp" || !person) return this.signUp();
    person.busy = true;
    try {
      if (kind === "passkeySignIn") await this.passkeySignIn(person);
      if (kind === "emailSignIn") await this.emailSignIn(person);
      if (kind === "addPasskey") await this.addPasskey(person);
      if (kind === "removePasskey") await this.removePasskey(person);
      if (kind === "signOutOthers") await this.signOutOthers(person);
    } finally {
      person.busy = false;
    }
  }

  /** Email, code, then a passkey; the person joins the pool once signed in. */
  private async signUp(): Promise<void> {
    const app = this.app;
    const browser = new VirtualBrowser(nextIp());
    const username = `s${this.runId}_${this.signUps.length}`;
    const email = `${username}@soak.example`;
    const since = Date.now();
    const signUp: SignUp = { username, email, credentialId: "", proven: false, verified: false, unsure: "" };
    this.signUps.push(signUp);
    try {
      await this.step("signUp.form", browser, async () => redirectTo(await app.action("/signup", "submitSignup", browser, { form: { name: "", username, email }, prevState: {} }), "/signup", "submitSignup"));
      const code = await this.mailedCode(email, "confirm your email address", since);
      signUp.unsure = "code";
      await this.step("signUp.code", browser, async () => redirectTo(await app.action("/signup", "submitSignupCode", browser, { form: { code }, prevState: {} }), "/signup", "submitSignupCode"));
      signUp.proven = true;
      signUp.unsure = "";
      const begun = await this.step("signUp.options", browser, async () => ok(await app.action("/signup", "signupPasskeyOptionsAction", browser, { args: [] }), creationOptionsSchema, "signupPasskeyOptions"));
      const credential = new SoftCredential(begun.options.user.id);
      signUp.credentialId = credential.idBase64url;
      const response = credential.register(begun.options, app.origin);
      signUp.unsure = "verify";
      // One request saves the passkey, ends the sign-up and signs in (303 to the account).
      const person: Person = { username, email, credential, extras: [], main: browser, sessions: { lo: 0, hi: 1 }, emailSignIns: 0, busy: true };
      const posted = { response: JSON.stringify(response) };
      await this.step("signUp.verify", browser, async () => postedTo(await app.postForm("/signup", "signupWithPasskeyAction", browser, posted), "/account", "signupWithPasskeyAction"));
      signUp.unsure = "";
      signUp.verified = true;
      person.sessions.lo = 1;
      this.people.push(person);
      person.busy = false;
      await this.replay(`sign-up registration for ${username}`, () => this.signsIn(person, "/signup", "signupWithPasskeyAction", posted, browser));
      await this.replay(`sign-up code for ${username}`, async () => "redirect" in (await app.action("/signup", "submitSignupCode", browser, { form: { code }, prevState: {} })));
    } catch (error) {
      // The app answered (even with an error page): it had its chance to leave nothing half-done.
      if (answered(error, browser)) signUp.unsure = "";
      throw error;
    }
  }

  /** A spent response posted again: accepted if it signs a browser in (`browser`, else one of its own). */
  private async signsIn(person: Person, page: "/login" | "/signup", action: "passkeySignIn" | "signupWithPasskeyAction", fields: Record<string, string>, browser = new VirtualBrowser(nextIp())): Promise<boolean> {
    const accepted = (await this.app.postForm(page, action, browser, fields)) === "/account";
    if (accepted) counted(person);
    return accepted;
  }

  private async passkeySignIn(person: Person): Promise<void> {
    const app = this.app;
    const browser = new VirtualBrowser(nextIp());
    const begun = await this.step("passkey.options", browser, async () => ok(await app.action("/login", "passkeyOptions", browser, { args: ["discoverable"] }), requestOptionsSchema, "passkeyOptions"));
    const response = person.credential.authenticate(begun.options, app.origin);
    const posted = { response: JSON.stringify(response), next: "/account" };
    person.sessions.hi++;
    await this.step("passkey.verify", browser, async () => postedTo(await app.postForm("/login", "passkeySignIn", browser, posted), "/account", "passkeySignIn"));
    this.acceptedCounters.set(person.credential.idBase64url, person.credential.counter);
    person.sessions.lo++;
    await this.replay(`passkey assertion for ${person.username}`, () => this.signsIn(person, "/login", "passkeySignIn", posted));
  }

  /** "Email me a sign-in link", then the code typed in the same browser. */
  private async emailSignIn(person: Person): Promise<void> {
    const app = this.app;
    const browser = new VirtualBrowser(nextIp());
    const since = Date.now();
    person.emailSignIns++;
    await this.step("email.request", browser, async () =>
      redirectTo(await app.action("/login?next=%2Faccount", "emailLinkForTyped", browser, { form: { identifier: person.username, next: "/account" }, prevState: {} }), "/login/code?next=%2Faccount", "emailLinkForTyped"),
    );
    const code = await this.mailedCode(person.email, "asked to sign in", since);
    person.sessions.hi++;
    await this.step("email.code", browser, async () => redirectTo(await app.action("/login/code?next=%2Faccount", "submitEmailCode", browser, { form: { code, next: "/account" }, prevState: {} }), "/account", "submitEmailCode"));
    person.sessions.lo++;
    await this.replay(`sign-in code for ${person.username}`, async () => {
      browser.store(["session=; Max-Age=0"]);
      const again = await app.action("/login/code?next=%2Faccount", "submitEmailCode", browser, { form: { code, next: "/account" }, prevState: {} });
      const accepted = "redirect" in again && again.redirect === "/account";
      if (accepted) counted(person);
      return accepted;
    });
  }

  private async addPasskey(person: Person): Promise<void> {
    const app = this.app;
    const browser = person.main;
    const begun = await this.step("add.options", browser, async () => ok(await app.action("/account", "addPasskeyOptionsAction", browser, { args: [] }), creationOptionsSchema, "addPasskeyOptions"));
    const credential = new SoftCredential(begun.options.user.id);
    const response = credential.register(begun.options, app.origin);
    this.added.set(credential.idBase64url, null);
    await this.step("add.verify", browser, async () => ok(await app.action("/account", "addPasskeyVerifyAction", browser, { args: [response] }), z.object({ ok: z.literal(true) }), "addPasskeyVerify")).catch((error: unknown) => {
      if (answered(error, browser)) this.added.set(credential.idBase64url, false);
      throw error;
    });
    this.added.set(credential.idBase64url, true);
    person.extras.push(credential);
    await this.replay(`added passkey's registration for ${person.username}`, async () => z.object({ ok: z.literal(true) }).safeParse(valueOrNull(await app.action("/account", "addPasskeyVerifyAction", browser, { args: [response] }))).success);
  }

  private async removePasskey(person: Person): Promise<void> {
    const app = this.app;
    const credential = person.extras.shift();
    if (!credential) return;
    const id = credential.idBase64url;
    const removed = await this.step("remove", person.main, async () => ok(await app.action("/account", "removePasskeyAction", person.main, { args: [id] }), z.object({ ok: z.literal(true), signedOut: z.number() }), "removePasskey")).catch((error: unknown) => {
      // Answered with a failure: still there. No answer: either way, and no longer used.
      if (answered(error, person.main)) person.extras.push(credential);
      else this.removed.set(id, null);
      throw error;
    });
    this.removed.set(id, true);
    person.sessions.lo -= removed.signedOut;
    person.sessions.hi -= removed.signedOut;
    await this.replay(`passkey removal for ${person.username}`, async () => z.object({ ok: z.literal(true) }).safeParse(valueOrNull(await app.action("/account", "removePasskeyAction", person.main, { args: [id] }))).success);
  }

  private async signOutOthers(person: Person): Promise<void> {
    const app = this.app;
    const { sessions } = person;
    sessions.lo = Math.min(sessions.lo, 1);
    const done = await this.step("signOutOthers", person.main, async () => ok(await app.action("/account", "signOutOthersAction", person.main, { args: [] }), signedOutSchema, "signOutOthers"));
    const count = Number(/\d+/.exec(done.done)?.[0]);
    if (count > sessions.hi - 1) this.surplusSessions.push(`${person.username}: signed out ${count} others, at most ${sessions.hi - 1} given`);
    sessions.lo = sessions.hi = 1;
  }
}

/** A session made by a spent one accepted again: counted as given, so the session audit doesn't count it twice. */
function counted(person: Person): void {
  person.sessions.lo++;
  person.sessions.hi++;
}

function valueOrNull(result: ActionResult): unknown {
  return "value" in result ? result.value : null;
}
