/**
 * A batch's cursor updates as the one row update per environment that has their effect, so that the
 * page writer moves every cursor of a batch in one statement (a statement must not modify a row
 * twice) and the result is what writing them one after another gives (store rules 3 and 11).
 */
import type { CursorUpdate, ListingProgress } from '../audit-store.js';

/** What a batch's cursor updates of one environment leave, applied one after another. */
interface FoldedCursor {
  /** The newest high-water mark of the batch's completed listings (the store keeps the greater of it and its own). */
  highWater: string | null;
  /** The last completed listing's time, or null when the batch completed none. */
  completedAt: string | null;
  /** The listing in progress after the last update: a completed listing leaves none. */
  listing: ListingProgress | null;
}

/**
 * Each environment's cursor updates, in page order, folded into the one row update that has their
 * effect: a progress update sets the listing; a completed listing clears it, raises the high-water
 * mark (never lowers it), sets last_success_at and clears the last error. A catch-up listing's page
 * (rule 11, kind 'none') moves nothing.
 */
export function foldCursors(updates: ReadonlyArray<readonly [environmentId: string, cursor: CursorUpdate]>): Map<string, FoldedCursor> {
  const folded = new Map<string, FoldedCursor>();
  for (const [environmentId, cursor] of updates) {
    if (cursor.kind === 'none') continue;
    const current = folded.get(environmentId) ?? { highWater: null, completedAt: null, listing: null };
    if (cursor.kind === 'progress') {
      folded.set(environmentId, { ...current, listing: cursor.listing });
    } else {
      folded.set(environmentId, { highWater: laterTime(current.highWater, cursor.highWater), completedAt: cursor.completedAt, listing: null });
    }
  }
  return folded;
}

/** The later of two ISO times, compared to the millisecond: the precision the API's times and the store's cursors carry. */
function laterTime(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) >= Date.parse(a) ? b : a;
}
