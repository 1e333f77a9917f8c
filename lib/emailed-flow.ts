import "server-only";
import { pointerCookie, type ValueCookie } from "./cookies";
import { dropProof, issueProof, linkState, peekProof, proofState, reissueProof, spendProof, type LinkState } from "./emailed-proof";
import { getConfig } from "./env";
import { describeFailure, type ErrorCode, type Failure, type Result } from "./shared/errors";
import type { FormState } from "./shared/form-state";

/**
 * One definition of a flow that proves an address by a mailed code and link, in the browser that
 * asked: sign-up, email sign-in, email change and "confirm it's you" each declare one, and get the
 * same skeleton (issue, resend, pending, link state, finish by code or link, the `{ error,
 * restart }` an ended proof shows, and their link page's copy) instead of repeating it.
 */
export type LinkPageState = LinkState | "moved_on" | "signed_in" | "incomplete";
export type LinkPageCopy = { title: string; description: string; action: { href: string; label: string } };

export type EmailedFlowSpec<T> = {
  /** The kv namespace of its proofs. */
  namespace: string;
  ttlSeconds: number;
  /** The pointer cookie naming this browser's proof. */
  cookie: string;
  /** `expired`: the proof is gone; `badLink`: a link that isn't this proof's (the same code where a wrong link is as final). */
  errors: { expired: ErrorCode; badLink: ErrorCode };
  /** Where the mailed link lands (its secret goes in `token`). */
  linkPath: string;
  /** For a flow inside an account: the user a proof belongs to; another user's proof reads as none ("elsewhere"). */
  owner?: (data: T) => string;
  /** Errors that end the flow when a code is typed, besides expired and too many tries. */
  codeEnds?: ErrorCode[];
  /** What its link page says in every state but "ready" (which is the flow's own form); `minutes` is the proof's life. */
  page: (minutes: number) => Record<Exclude<LinkPageState, "ready">, LinkPageCopy>;
};

/** What was mailed: the code, the link carrying the secret, and for how long both work. */
export type Mailable = { code: string; link: string; minutes: number };

/** The cookie outlives the proof, so its link page can still say "used" or "expired". */
const COOKIE_TTL_SECONDS = 60 * 60;

export function defineEmailedFlow<T>(spec: EmailedFlowSpec<T>) {
  const cookie: () => ValueCookie = () => pointerCookie(spec.cookie, COOKIE_TTL_SECONDS);
  const minutes = spec.ttlSeconds / 60;
  const mailable = (mailed: { code: string; secret: string }): Mailable => {
    const link = new URL(spec.linkPath, getConfig().appUrl);
    link.searchParams.set("token", mailed.secret);
    return { code: mailed.code, link: link.href, minutes };
  };
  const mine = (data: T | null, userId?: string): data is T => data !== null && (userId === undefined || !spec.owner || spec.owner(data) === userId);

  return {
    ttlSeconds: spec.ttlSeconds,
    cookie,
    /** A new proof (see issueProof); the caller mails it and keeps `id` in this browser (`keep`). */
    async issue(data: T, options: { account: string; decoy?: boolean }): Promise<Mailable & { id: string }> {
      const { id, ...mailed } = await issueProof(spec.namespace, data, spec.ttlSeconds, options);
      return { id, ...mailable(mailed) };
    },
    async keep(id: string): Promise<void> {
      await cookie().set(id);
    },
    /** "Send a new code" for this browser's proof (see reissueProof); null: start a new one instead. */
    async resend(update: (data: T) => T, options: { decoy?: boolean } = {}): Promise<Mailable | null> {
      const added = await reissueProof<T>(spec.namespace, await cookie().get(), spec.ttlSeconds, update, options);
      return added && mailable(added);
    },
    /** This browser's pending proof (for `userId`, when the flow has an owner), without spending it. */
    async pending(userId?: string): Promise<T | null> {
      const data = await peekProof<T>(spec.namespace, await cookie().get());
      return mine(data, userId) ? data : null;
    },
    /** What the link's page can say in this browser, and the pending proof's data when there is one. */
    async linkState(userId?: string): Promise<{ state: LinkState; data: T | null }> {
      const id = await cookie().get();
      const data = await peekProof<T>(spec.namespace, id);
      if (data !== null && !mine(data, userId)) return { state: "elsewhere", data: null };
      return { state: await linkState(spec.namespace, id), data };
    },
    /**
     * Spends this browser's proof with the typed code or the link's secret (see spendProof); `id`
     * names another browser's proof instead (a link approving that browser's request).
     */
    async finish(kind: "code" | "link", value: string, id?: string): Promise<Result<{ data: T }>> {
      return spendProof<T>(spec.namespace, id ?? (await cookie().get()), kind, value, spec.errors, spec.ttlSeconds);
    },
    /** Where a proof named by id stands (see proofState), for a page in a browser without its cookie. */
    async stateOf(id: string): Promise<"pending" | "used" | "ended" | "gone"> {
      return proofState(spec.namespace, id);
    },
    /** Reads a proof named by id without spending it. */
    async peek(id: string): Promise<T | null> {
      return peekProof<T>(spec.namespace, id);
    },
    /** Withdraws this browser's proof (the person started over or cancelled). */
    async drop(): Promise<void> {
      await dropProof(spec.namespace, await cookie().get());
    },
    /**
     * A failure as its form shows it. By link: only a wrong link with tries left may be pressed again,
     * where a wrong link is told apart from an expired proof. By code: expired, too many tries and
     * the flow's own `codeEnds` end it.
     */
    failureState(failure: Failure, via: "code" | "link"): FormState {
      const retry =
        via === "link"
          ? failure.error === spec.errors.badLink && spec.errors.badLink !== spec.errors.expired && failure.attemptsLeft !== undefined
          : ![spec.errors.expired, "too_many_attempts", ...(spec.codeEnds ?? [])].includes(failure.error);
      return { failure: failure.error, error: describeFailure(failure), restart: !retry };
    },
    /** Its link page's copy for a state other than "ready". */
    pageCopy(state: Exclude<LinkPageState, "ready">): LinkPageCopy {
      return spec.page(minutes)[state];
    },
  };
}

export type EmailedFlow<T> = ReturnType<typeof defineEmailedFlow<T>>;
