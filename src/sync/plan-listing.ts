/**
 * Where an environment's events listing starts (pure). An interrupted listing is resumed at the
 * page it reached: events that appeared since only push later items further down, so resuming
 * can re-read a few (ignored as duplicates) but never skips one. Otherwise a new listing starts a
 * lookback window before the newest event already stored, because events can become visible
 * minutes after their createdAt; the very first one starts at the backfill date, or the beginning.
 */
import type { EnvironmentCursor, ListingKind, ListingProgress } from '../store/audit-store.js';

export interface ListingPlanOptions {
  lookbackMs: number;
  backfillSince: string | undefined;
  pageSize: number;
  now: Date;
}

export function planListing(cursor: EnvironmentCursor | undefined, options: ListingPlanOptions): ListingProgress {
  // A listing's offsets depend on its page size; with another size the resumed page would mean something else.
  if (cursor?.listing && cursor.listing.pageSize === options.pageSize) return cursor.listing;
  // One that has read no page yet (an operator's reset, rule 11) has no offset to misread: its start stands.
  if (cursor?.listing && cursor.listing.nextPage === 1) return { ...cursor.listing, pageSize: options.pageSize, pageFill: 0 };
  const fromHighWater = cursor?.highWater ? new Date(Date.parse(cursor.highWater) - options.lookbackMs).toISOString() : null;
  return {
    since: latest(fromHighWater, options.backfillSince ?? null),
    pageSize: options.pageSize,
    nextPage: 1,
    maxCreatedAt: null,
    pageFill: 0,
    startedAt: options.now.toISOString(),
  };
}

/**
 * What the listing planned from `cursor` is, for the visibility lag (rule 16 of audit-store.ts):
 * before the environment has a high-water mark, its 'backfill' (the history from the start or
 * AUDIT_BACKFILL_SINCE); a listing starting earlier than a fresh one would (an operator's cursor
 * reset, rule 11, resumed or not) a 'resync'; else 'incremental'. Only the last measures how late
 * events become visible: the others read events that were there long before.
 */
export function listingKind(cursor: EnvironmentCursor | undefined, listing: ListingProgress, options: ListingPlanOptions): Exclude<ListingKind, 'catch-up'> {
  if (!cursor?.highWater) return 'backfill';
  const fresh = planListing({ ...cursor, listing: null }, options);
  return listing.since !== null && fresh.since !== null && Date.parse(listing.since) >= Date.parse(fresh.since) ? 'incremental' : 'resync';
}

/** The later of two ISO dates (text order is time order for normalised dates); null when both are. */
export function latest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

export type ResetPlan =
  /** The listing to store: page 1 from `listing.since`, no later than what the next run would have read. */
  | { kind: 'move'; listing: ListingProgress }
  /** The next run reads from `since` (null: the beginning) anyway, from its first page: nothing to move. */
  | { kind: 'already'; since: string | null };

/**
 * Where `cursor reset --since` leaves an environment's listing (rule 11 of audit-store.ts). The next
 * run must re-read everything from `since` AND everything it would have read without the reset,
 * so the new listing starts at the earlier of `since` and the start of the listing planned now (a
 * fresh one a lookback before the high-water mark, or an interrupted one to be resumed), from page
 * 1: every event the planned listing would reach is then at or after its start, and a complete
 * listing from an earlier start reads them all. The high-water mark is not touched: it stays
 * where completed listings took it, and moves on only forward.
 */
export function planReset(cursor: EnvironmentCursor | undefined, since: string, options: ListingPlanOptions): ResetPlan {
  const planned = planListing(cursor, options);
  if (planned.nextPage === 1 && (planned.since === null || planned.since <= since)) return { kind: 'already', since: planned.since };
  return {
    kind: 'move',
    listing: {
      since: planned.since === null ? null : earliest(planned.since, since),
      pageSize: options.pageSize,
      nextPage: 1,
      maxCreatedAt: null,
      pageFill: 0,
      startedAt: options.now.toISOString(),
    },
  };
}

function earliest(a: string, b: string): string {
  return a < b ? a : b;
}
