/**
 * One environment's events listing, page by page with bounded memory: each page is handed to the
 * batch writer with the listing position reached. Only an empty page ends the listing (the API may
 * cap pageSize, so a short page proves nothing); the completing write moves the high-water mark.
 *
 * Why a page is requested only once the page before it has been answered (the argument, issue 10):
 * GET /events pages by offset over a list that grows while we page (new events at its front when it
 * is newest-first; late events anywhere). Events are never removed from it, so an insert can only
 * push an item to a higher offset. Read in order, page N+1 is served after page N, so every insert
 * between the two pushes items back into page N+1 (re-read, ignored by id), never past it: nothing
 * is skipped. Served out of order, page N+1 first, an insert in between pushes the items at the end
 * of page N past the start of page N+1 as it was served: they are on neither page, the listing
 * completes and the cursor moves past them for good. With two pages requested at once that happens
 * whenever page N needs a retry, and even without one a server may answer concurrent requests in
 * either order. No answer tells which the server served first, and the events listing carries no
 * total to check against, so out-of-order pages cannot be detected after the fact: they must not
 * happen. The next page is therefore requested the moment the previous one has been answered, before
 * it is parsed, staged and written, so the network stays busy while each page is handled, and
 * several environments are listed at once (AUDIT_CONCURRENCY) to keep enough requests in flight.
 *
 * Listings are also guarded against an API that does not behave: page sizes that change (start over,
 * a few times at most), the same page served for every page number or pages of items without ids
 * (the environment fails with a clear message and its listing starts over next time), and a resumed
 * listing whose saved position lies past the end of what the API now has (it starts over rather
 * than complete past events it never read). An event dated beyond the server's clock plus
 * AUDIT_MAX_CLOCK_SKEW is stored but never moves the high-water mark: one such event would otherwise
 * put every later event behind the cursor for good.
 */
import { ListingFailedError } from '../errors.js';
import { fetchEventsPage, type EventsPage } from '../flatfile/events.js';
import type { FlatfileHttp } from '../flatfile/http-client.js';
import type { EventRecord } from '../records.js';
import type { ListingKind, ListingProgress, ListingWindow } from '../store/audit-store.js';
import type { BatchWriter } from './batch-writer.js';
import { PageChain } from './page-chain.js';
import { latest } from './plan-listing.js';

export interface EventsListingDeps {
  http: FlatfileHttp;
  writer: BatchWriter;
  clock: () => Date;
  signal: AbortSignal;
  maxClockSkewMs: number;
  onPage?: (pagesDone: number) => void;
  onRestart?: (reason: string) => void;
}

export interface EventsListingResult {
  pages: number;
  served: number;
  rejected: number;
  resumedAtPage: number;
  /** Times the listing started over (page size grew, or a resumed position lay past the end). */
  restarts: number;
  /** Events dated beyond the server's clock plus the allowed skew: stored, but kept out of the high-water mark. */
  futureDated: Array<Pick<EventRecord, 'id' | 'createdAt'>>;
}

/** Requests a listing keeps in flight: one, so pages are served in order (see above). The benchmark's network bound uses it. */
export const REQUESTS_PER_LISTING = 1;

/** Answered pages kept ahead of the writer per listing (each about a page of events in memory). */
const PAGES_BUFFERED = 4;

/** Restarts tolerated in one listing before the environment is failed instead. */
const MAX_RESTARTS = 3;
/** Consecutive pages bringing no event the page before did not have, before the API is taken to be repeating itself. */
const MAX_STALE_PAGES = 2;

/**
 * How a listing's pages treat the cursor: 'track' saves its position with each page and completes
 * it (the incremental listing); 'leave' stores the events only and moves no cursor (a catch-up
 * listing, see catch-up-listing.ts).
 */
export type CursorMode = 'track' | 'leave';

/** What the window of a listing read to its end is recorded as (rule 12): a reconcile's as such, any other as its cursor mode makes it. */
function windowKind(mode: CursorMode, kind: ListingKind): ListingWindow['kind'] {
  if (kind === 'reconcile') return 'reconcile';
  return mode === 'track' ? 'incremental' : 'catch-up';
}

/** `kind`: what the listing is to the visibility lag (rule 16 of audit-store.ts); plan-listing.ts listingKind tells. */
export async function syncEvents(deps: EventsListingDeps, environmentId: string, start: ListingProgress, mode: CursorMode = 'track', kind: ListingKind = mode === 'track' ? 'incremental' : 'catch-up'): Promise<EventsListingResult> {
  try {
    return await readListing(deps, environmentId, start, mode, kind);
  } catch (error) {
    // Interrupted or failed: keep what was fetched, so the next run or retry resumes after it; and
    // nothing of this listing is still being committed once it has returned.
    await deps.writer.flush(environmentId).catch(() => undefined);
    throw error;
  }
}

async function readListing(deps: EventsListingDeps, environmentId: string, start: ListingProgress, mode: CursorMode, kind: ListingKind): Promise<EventsListingResult> {
  const { http } = deps;
  const writer = mode === 'track' ? deps.writer : leavingCursors(deps.writer);
  const result: EventsListingResult = { pages: 0, served: 0, rejected: 0, resumedAtPage: start.nextPage, restarts: 0, futureDated: [] };
  // Nothing of this environment is pending now (a listing ends flushed, see syncEvents), so what the writer counts from here is this listing's.
  const insertedBefore = deps.writer.insertedFor(environmentId);
  const fetchPage = (pageNumber: number, signal?: AbortSignal): Promise<EventsPage> =>
    fetchEventsPage(http, { environmentId, since: start.since, pageNumber, pageSize: start.pageSize }, signal ? AbortSignal.any([deps.signal, signal]) : deps.signal);
  let pages = new PageChain(fetchPage, start.nextPage, PAGES_BUFFERED);
  try {
    let listing = start;
    // The largest page served so far in this listing, kept across a resume: the page size the server really applies.
    let largest = start.pageFill;
    let previousIds = new Set<string>();
    let stalePages = 0;
    // Start the listing over from page 1 (re-read events are ignored by id), dropping the page requested ahead.
    const restart = (reason: string): void => {
      if (++result.restarts > MAX_RESTARTS) {
        throw new ListingFailedError(`GET /events had to be started over ${result.restarts} times during one listing (last: ${reason}); giving up on this environment for this run`);
      }
      deps.onRestart?.(`${reason}; listing again from the first page`);
      pages.stop();
      pages = new PageChain(fetchPage, 1, PAGES_BUFFERED);
      largest = 0;
      previousIds = new Set();
      stalePages = 0;
      listing = { ...listing, nextPage: 1, pageFill: 0 };
    };
    for (;;) {
      const pageNumber = listing.nextPage;
      const page = await pages.take();
      // When it was read, on the API server's clock, the one createdAt is on: the visibility lag (rule 16) is not skewed by ours.
      const read = { by: kind, at: http.serverClock.now().toISOString() };
      if (largest > 0 && page.served > largest) {
        restart(`the API's page size grew from ${largest} to ${page.served}`);
        continue;
      }
      // An empty page ends the listing only if page numbers still mean what they meant. A grown page
      // size can move a page past the end: one look at page 1 tells.
      if (page.served === 0 && largest > 0 && (pageNumber > 2 || start.nextPage > 1)) {
        const first = await fetchPage(1);
        if (first.served > largest) {
          restart(`the API's page size grew from ${largest} to ${first.served}`);
          continue;
        }
      }
      // A resumed listing's saved position may lie past the end of what the API has now (saved while
      // it served pages that were not what their numbers said): the page before it must still be
      // there, since events are never taken away, or the listing starts over.
      if (page.served === 0 && result.pages === 0 && pageNumber > 1 && (await fetchPage(pageNumber - 1)).served === 0) {
        restart(`the resumed listing's position, page ${pageNumber}, lies past the end of what the API now lists`);
        continue;
      }
      if (page.served === 0) {
        // Every page of this environment before this one committed first: the window's count of new events is then complete (rule 12).
        await deps.writer.flush(environmentId);
        const completedAt = deps.clock().toISOString();
        await writer.write({
          environmentId,
          events: [],
          rejected: [],
          cursor: { kind: 'complete', highWater: listing.maxCreatedAt, completedAt },
          window: {
            kind: windowKind(mode, kind),
            since: start.since,
            until: http.serverClock.now().toISOString(),
            startedAt: start.startedAt,
            completedAt,
            resumedAtPage: result.restarts > 0 ? 1 : start.nextPage,
            pages: result.pages,
            served: result.served,
            newEvents: deps.writer.insertedFor(environmentId) - insertedBefore,
          },
        });
        return result;
      }
      const ids = new Set([...page.events.map((e) => e.id), ...page.rejected.flatMap((r) => (r.eventId === null ? [] : [r.eventId]))]);
      stalePages = [...ids].some((id) => !previousIds.has(id)) ? 0 : stalePages + 1;
      if (stalePages >= MAX_STALE_PAGES) {
        // Nothing new on page after page: the API ignores pageNumber, or serves items without ids.
        // What it served is stored; its positions are not to be trusted, so the next run starts over.
        await writer.write({ environmentId, events: [], rejected: [], cursor: { kind: 'progress', listing: { ...start, nextPage: 1, pageFill: 0 } } });
        throw new ListingFailedError(`GET /events served ${stalePages} pages in a row with no event the page before did not have, up to page ${pageNumber} (it seems to ignore pageNumber, or serves events without ids); giving up on this environment for this run`);
      }
      previousIds = ids;
      largest = Math.max(largest, page.served);
      const newest = newestPlausible(page.events, listing.maxCreatedAt, http.serverClock.now().getTime() + deps.maxClockSkewMs, result.futureDated);
      listing = { ...listing, nextPage: pageNumber + 1, maxCreatedAt: newest, pageFill: largest };
      await writer.write({ environmentId, events: page.events, rejected: page.rejected, cursor: { kind: 'progress', listing }, read });
      result.pages += 1;
      result.served += page.served;
      result.rejected += page.rejected.length;
      deps.onPage?.(result.pages);
    }
  } finally {
    // A page requested ahead must not go on retrying for a listing that has ended or failed.
    pages.stop();
  }
}

/** The writer with every cursor update of the pages it is given replaced by 'none'; a completing page flushes instead. */
function leavingCursors(writer: BatchWriter): Pick<BatchWriter, 'write'> {
  return {
    write: async (page) => {
      await writer.write({ ...page, cursor: { kind: 'none' } });
      if (page.cursor.kind === 'complete') await writer.flush(page.environmentId);
    },
  };
}

/** The newest createdAt of `events` not beyond `limitMs` (and not before `newest`); events beyond it go to `future`. */
function newestPlausible(events: readonly EventRecord[], newest: string | null, limitMs: number, future: Array<Pick<EventRecord, 'id' | 'createdAt'>>): string | null {
  let result = newest;
  for (const event of events) {
    if (Date.parse(event.createdAt) > limitMs) future.push({ id: event.id, createdAt: event.createdAt });
    else result = latest(result, event.createdAt);
  }
  return result;
}
