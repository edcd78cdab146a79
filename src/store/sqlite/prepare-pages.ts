/**
 * The part of an event write that needs no database, done on the caller's thread: each event as
 * its row text (the JSON of its values in CHAINED_COLUMNS order) and that text's digest (see
 * ../chain/event-chain.ts), and each rejected item's fingerprint. The writer's thread (write-thread.ts),
 * which every commit waits on, then only parses the rows back, links the digests and inserts. One
 * string a row crosses to that thread several times cheaper than an array of fourteen values, and
 * a page's digests travel as one buffer.
 */
import { createHash } from 'node:crypto';
import type { CursorUpdate, ListingWindow, PageWrite } from '../audit-store.js';
import type { RejectedEvent } from '../../records.js';
import { DIGEST_BYTES, eventValues, rowText, textDigest } from '../chain/event-chain.js';

export interface PreparedRejected {
  eventId: string | null;
  reason: string;
  raw: string;
  rawSha256: string;
}

export interface PreparedPage {
  environmentId: string;
  /** One rowText per event. */
  rows: string[];
  /** The rows' digests, DIGEST_BYTES each, in row order. */
  digests: Buffer;
  rejected: PreparedRejected[];
  cursor: CursorUpdate;
  window?: ListingWindow | undefined;
  read?: PageWrite['read'];
}

/** One page as rows stamped `ingestedAt`. */
export function preparePage(page: PageWrite, ingestedAt: string): PreparedPage {
  const rows = page.events.map((e) => rowText(eventValues(page.environmentId, e, ingestedAt)));
  // Buffer.alloc, not allocUnsafe: a small unsafe buffer is a slice of a shared pool, and posting
  // it to the thread would copy the whole pool.
  const digests = Buffer.alloc(rows.length * DIGEST_BYTES);
  rows.forEach((text, i) => textDigest(text).copy(digests, i * DIGEST_BYTES));
  return {
    environmentId: page.environmentId,
    rows,
    digests,
    rejected: page.rejected.map(prepareRejected),
    cursor: page.cursor,
    ...(page.window ? { window: page.window } : {}),
    ...(page.read ? { read: page.read } : {}),
  };
}

/** A rejected item with its fingerprint (the SHA-256 of its raw text, in hex): the key its sightings are counted by. */
export function prepareRejected(r: RejectedEvent): PreparedRejected {
  return { eventId: r.eventId, reason: r.reason, raw: r.raw, rawSha256: createHash('sha256').update(r.raw).digest('hex') };
}
