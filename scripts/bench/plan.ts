/**
 * How much load each part of the bench applies: the same for the server and the in-process floor.
 * Every level stops at a count or after a number of seconds, whichever comes first, so the whole
 * run stays within its time box on a slow or busy machine. Bench tooling only.
 */
import type { Limits } from "./measure";

export const CONCURRENCY = [1, 8, 32] as const;
export type Concurrency = (typeof CONCURRENCY)[number];

export type Plan = {
  /** Sign-ins per level (bounded by time: sign-in needs no preparation). */
  signIn: Limits;
  /** Registrations per level: each needs a proven sign-up prepared beforehand, so by count. */
  registration: Record<Concurrency, Limits>;
  /** Email-code requests per level (each costs two argon2id hashes). */
  email: Record<Concurrency, Limits>;
  /** Requests of each kind for Next.js's own per-request cost (concurrency 8 only). */
  requestFloor: Limits;
  /** Ceremonies of each kind run first and not recorded (JIT, lazily loaded routes). */
  warmup: number;
};

const FULL: Plan = {
  signIn: { count: 2000, seconds: 6 },
  registration: { 1: { count: 8, seconds: 8 }, 8: { count: 32, seconds: 8 }, 32: { count: 48, seconds: 8 } },
  email: { 1: { count: 8, seconds: 8 }, 8: { count: 32, seconds: 8 }, 32: { count: 48, seconds: 8 } },
  requestFloor: { count: 1000, seconds: 3 },
  warmup: 8,
};

/** `--quick`: a smoke run for working on the bench itself; its figures are not meant to be quoted. */
const QUICK: Plan = {
  signIn: { count: 200, seconds: 1.5 },
  registration: { 1: { count: 4, seconds: 4 }, 8: { count: 16, seconds: 4 }, 32: { count: 32, seconds: 4 } },
  email: { 1: { count: 2, seconds: 4 }, 8: { count: 8, seconds: 4 }, 32: { count: 32, seconds: 4 } },
  requestFloor: { count: 200, seconds: 1 },
  warmup: 4,
};

export function getPlan(quick: boolean): Plan {
  return quick ? QUICK : FULL;
}

/** Proven sign-ups a run of these levels needs: each registration level plus the warm-up. */
export function signupsNeeded(plan: Plan, levels: readonly Concurrency[]): number {
  return plan.warmup + levels.reduce((n, c) => n + plan.registration[c].count, 0);
}

/** Email requests a run of these levels needs: each level plus the warm-up. */
export function emailRequestsNeeded(plan: Plan, levels: readonly Concurrency[]): number {
  return plan.warmup + levels.reduce((n, c) => n + plan.email[c].count, 0);
}
