/**
 * Where an environment's events listing starts (pure). An interrupted listing is resumed at the
 * page it reached: events that appeared since only push later items further down, so resuming
 * can re-read a few (ignored as duplicates) but never skips one. Otherwise a new listing starts a
 * lookback window before the newest event already stored, because events can become visible
 * minutes after their createdAt; the very first one starts at the backfill date, or the beginning.
 */
import type { EnvironmentCursor, ListingProgress } from '../store/audit-store.js';

export interface ListingPlanOptions {
  lookbackMs: number;
  backfillSince: string | undefined;
  pageSize: number;
  now: Date;
}

export function planListing(cursor: EnvironmentCursor | undefined, options: ListingPlanOptions): ListingProgress {
  // A listing's offsets depend on its page size; with another size the resumed page would mean something else.
  if (cursor?.listing && cursor.listing.pageSize === options.pageSize) return cursor.listing;
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

/** The later of two ISO dates (text order is time order for normalised dates); null when both are. */
export function latest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
