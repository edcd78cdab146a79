/**
 * One environment's events listing, page by page with bounded memory: each page is handed to the
 * batch writer with the listing position reached, and the next page is already being fetched
 * while it is written. Only an empty page ends the listing (the API may cap pageSize, so a short
 * page proves nothing); the completing write moves the high-water mark.
 */
import { AbortedError, RateLimitedError } from '../errors.js';
import { fetchEventsPage, type EventsPage } from '../flatfile/events.js';
import type { FlatfileHttp } from '../flatfile/http-client.js';
import type { ListingProgress } from '../store/audit-store.js';
import type { BatchWriter } from './batch-writer.js';
import { latest } from './plan-listing.js';

export interface EventsListingDeps {
  http: FlatfileHttp;
  writer: BatchWriter;
  clock: () => Date;
  signal: AbortSignal;
  onPage?: (pagesDone: number) => void;
}

export interface EventsListingResult {
  pages: number;
  served: number;
  rejected: number;
  resumedAtPage: number;
}

export async function syncEvents(deps: EventsListingDeps, environmentId: string, start: ListingProgress): Promise<EventsListingResult> {
  try {
    return await readListing(deps, environmentId, start);
  } catch (error) {
    // Interrupted (shutdown, or a 429 handed to the queue): keep what was fetched, so the retry resumes after it.
    if (error instanceof AbortedError || error instanceof RateLimitedError) await deps.writer.flush().catch(() => undefined);
    throw error;
  }
}

async function readListing(deps: EventsListingDeps, environmentId: string, start: ListingProgress): Promise<EventsListingResult> {
  const { http, writer, signal } = deps;
  const result: EventsListingResult = { pages: 0, served: 0, rejected: 0, resumedAtPage: start.nextPage };
  const fetchPage = (pageNumber: number): Promise<EventsPage> => {
    const pending = fetchEventsPage(http, { environmentId, since: start.since, pageNumber, pageSize: start.pageSize }, signal);
    pending.catch(() => undefined); // awaited below; this only stops an early failure counting as unhandled
    return pending;
  };

  let listing = start;
  let next = fetchPage(listing.nextPage);
  for (;;) {
    const page = await next;
    if (page.served === 0) {
      await writer.write({
        environmentId,
        events: [],
        rejected: [],
        cursor: { kind: 'complete', highWater: listing.maxCreatedAt, completedAt: deps.clock().toISOString() },
      });
      return result;
    }
    next = fetchPage(listing.nextPage + 1);
    let newest = listing.maxCreatedAt;
    for (const event of page.events) newest = latest(newest, event.createdAt);
    listing = { ...listing, nextPage: listing.nextPage + 1, maxCreatedAt: newest };
    await writer.write({ environmentId, events: page.events, rejected: page.rejected, cursor: { kind: 'progress', listing } });
    result.pages += 1;
    result.served += page.served;
    result.rejected += page.rejected.length;
    deps.onPage?.(result.pages);
  }
}
