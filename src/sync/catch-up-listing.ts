/**
 * A catch-up listing (`sync --once --environment ID --since ISO`): one environment's events listed
 * from `since`, every page stored, and no cursor touched. Why that loses nothing and changes nothing
 * but the missing events (the argument, against plan-listing.ts and sync-events.ts):
 *
 * - Only missing events are stored: pages go through the same writer and store as any listing, and
 *   the store keeps an event id once (rule 1 of audit-store.ts); an event stored already changes
 *   nothing and is not counted. New ones are linked into the chain as any (rule 5).
 * - The high-water mark cannot move back, nor forward: the catch-up's pages carry the cursor update
 *   'none' (rule 11), so no write of it reaches sync_cursors. It would be wrong for it to complete
 *   the cursor: a complete listing from a `since` later than the one the next run would plan
 *   (high water minus lookback) would move the mark past late events in between that nobody read.
 * - The resumable listing is not disturbed: an interrupted incremental listing (sync_cursors'
 *   listing columns: since, page, page fill) is neither overwritten nor cleared, since only
 *   'progress' and 'complete' updates write those columns. The incremental listing that follows
 *   (sync-environment.ts) resumes it exactly as it would have without the catch-up; events the
 *   catch-up stored meanwhile are ones it re-reads and ignores by id, and its offsets are the API's,
 *   which our writes do not move.
 * - The catch-up itself never skips an event it reaches: it pages exactly as sync-events.ts does
 *   (one request at a time, in order, restarts on a grown page size, an empty page to end), so
 *   every event created at or after `since` and visible when the listing passes it is read.
 * - Interrupted (a signal, a failure), it leaves nothing to resume: what it stored stays, and the
 *   same command run again reads the rest, re-reading what is stored without effect.
 *
 * What it reads is what the API serves at that time: an event that becomes visible only after the
 * catch-up passed its place is for the next catch-up, or for `cursor reset` plus a run.
 */
import type { ListingProgress } from '../store/audit-store.js';
import { syncEvents, type EventsListingDeps, type EventsListingResult } from './sync-events.js';

export async function catchUpEvents(deps: EventsListingDeps, environmentId: string, since: string, pageSize: number): Promise<EventsListingResult> {
  const start: ListingProgress = { since, pageSize, nextPage: 1, maxCreatedAt: null, pageFill: 0, startedAt: deps.clock().toISOString() };
  return syncEvents(deps, environmentId, start, 'leave');
}
