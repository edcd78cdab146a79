/**
 * One environment's events listing, page by page with bounded memory: each page is handed to the
 * batch writer with the listing position reached, and the next pages are already being fetched
 * while it is written. Only an empty page ends the listing (the API may cap pageSize, so a short
 * page proves nothing); the completing write moves the high-water mark.
 */
import { ApiError } from '../errors.js';
import { fetchEventsPage, type EventsPage } from '../flatfile/events.js';
import type { FlatfileHttp } from '../flatfile/http-client.js';
import type { ListingProgress } from '../store/audit-store.js';
import type { BatchWriter } from './batch-writer.js';
import { latest } from './plan-listing.js';

/**
 * Requests kept in flight per listing while its pages come back full. With one, each listing sat
 * idle while a page was parsed and handed on, and while it waited for a commit; two keep the
 * network busy through both. Pages are still consumed in order.
 */
export const PAGES_AHEAD = 2;

export interface EventsListingDeps {
  http: FlatfileHttp;
  writer: BatchWriter;
  clock: () => Date;
  signal: AbortSignal;
  onPage?: (pagesDone: number) => void;
  onRestart?: (reason: string) => void;
}

export interface EventsListingResult {
  pages: number;
  served: number;
  rejected: number;
  resumedAtPage: number;
  /** Times the listing started over because the server's page size grew under it. */
  restarts: number;
}

/** Page-size changes tolerated in one listing before the environment is failed instead. */
const MAX_RESTARTS = 3;

export async function syncEvents(deps: EventsListingDeps, environmentId: string, start: ListingProgress): Promise<EventsListingResult> {
  try {
    return await readListing(deps, environmentId, start);
  } catch (error) {
    // Interrupted or failed: keep what was fetched, so the next run or retry resumes after it; and
    // nothing of this listing is still being committed once it has returned.
    await deps.writer.flush().catch(() => undefined);
    throw error;
  }
}

async function readListing(deps: EventsListingDeps, environmentId: string, start: ListingProgress): Promise<EventsListingResult> {
  const { http, writer, signal } = deps;
  const result: EventsListingResult = { pages: 0, served: 0, rejected: 0, resumedAtPage: start.nextPage, restarts: 0 };
  let ahead: Array<Promise<EventsPage>> = [];
  let toRequest = start.nextPage;
  const requestNext = (): void => {
    const pending = fetchEventsPage(http, { environmentId, since: start.since, pageNumber: toRequest, pageSize: start.pageSize }, signal);
    pending.catch(() => undefined); // awaited in order below; this only stops an early failure counting as unhandled
    ahead.push(pending);
    toRequest += 1;
  };

  let listing = start;
  // The largest page served so far in this listing, kept across a resume: the page size the server really applies.
  let largest = start.pageFill;
  // The server's page size grew: page N now starts further in than where the previous pages
  // stopped, so events in between would be skipped. Start the listing over; re-read events are
  // ignored by id.
  const restart = (grownTo: number): void => {
    if (++result.restarts > MAX_RESTARTS) {
      throw new ApiError(200, `GET /events changed its page size ${result.restarts} times during one listing; giving up on this environment for this run`);
    }
    deps.onRestart?.(`the API's page size grew from ${largest} to ${grownTo}; listing again from the first page`);
    ahead = [];
    toRequest = 1;
    largest = 0;
    listing = { ...listing, nextPage: 1, pageFill: 0 };
    requestNext();
  };
  requestNext();
  for (;;) {
    const page = await (ahead.shift() as Promise<EventsPage>);
    if (largest > 0 && page.served > largest) {
      restart(page.served);
      continue;
    }
    if (page.served === 0 && largest > 0 && (listing.nextPage > 2 || start.nextPage > 1)) {
      // An empty page ends the listing only if page numbers still mean what they meant: a grown page
      // size can also move a page past the end. One look at page 1 tells.
      const first = await fetchEventsPage(http, { environmentId, since: start.since, pageNumber: 1, pageSize: start.pageSize }, signal);
      if (first.served > largest) {
        restart(first.served);
        continue;
      }
    }
    if (page.served === 0) {
      await writer.write({
        environmentId,
        events: [],
        rejected: [],
        cursor: { kind: 'complete', highWater: listing.maxCreatedAt, completedAt: deps.clock().toISOString() },
      });
      return result;
    }
    // A short page hints (never proves) that the end is near: then one request ahead is enough. A
    // page is full when it has what we asked for, or as many as the largest one before it.
    const full = page.served >= start.pageSize || (largest > 0 && page.served >= largest);
    largest = Math.max(largest, page.served);
    while (ahead.length < (full ? PAGES_AHEAD : 1)) requestNext();
    let newest = listing.maxCreatedAt;
    for (const event of page.events) newest = latest(newest, event.createdAt);
    listing = { ...listing, nextPage: listing.nextPage + 1, maxCreatedAt: newest, pageFill: largest };
    await writer.write({ environmentId, events: page.events, rejected: page.rejected, cursor: { kind: 'progress', listing } });
    result.pages += 1;
    result.served += page.served;
    result.rejected += page.rejected.length;
    deps.onPage?.(result.pages);
  }
}
