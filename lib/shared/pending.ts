/**
 * Where a sign-in asked for in one browser and approved on another device stands, as the asking
 * browser sees it (lib/pending-sign-in.ts). Shared so the waiting hook can name it.
 */
export const PENDING_STATUSES = ["waiting", "approved", "refused", "expired", "used"] as const;
export type PendingStatus = (typeof PENDING_STATUSES)[number];
