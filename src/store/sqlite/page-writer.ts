/**
 * The hot path: inserts a batch of prepared event pages (prepare-pages.ts) and moves each page's
 * cursor, in one transaction. Events are keyed by id and a conflicting id is skipped, so a re-read
 * page (lookback window, resumed listing, shifted offsets) changes nothing; `changes` tells which
 * rows were new. Each row arrives as its text and digest (prepare-pages.ts); it is parsed back
 * before the transaction, and linked into its environment's hash chain (../chain/chain-links.ts) in it.
 */
import { ChainLinks } from '../chain/chain-links.js';
import { CHAINED_COLUMNS, DIGEST_BYTES, type ChainedValues } from '../chain/event-chain.js';
import { CountTally, textHour } from '../event-counts.js';
import { LagTally } from '../visibility-lag.js';
import type { SqliteDatabase } from './open.js';
import type { PreparedPage } from './prepare-pages.js';
import type { CursorUpdate, WriteResult } from '../audit-store.js';

export type PageWriter = (pages: readonly PreparedPage[], now: string) => WriteResult;

export function createPageWriter(db: SqliteDatabase): PageWriter {
  const insertEvent = db.prepare(
    // ON CONFLICT (id) rather than OR IGNORE: OR IGNORE would also silently skip a row breaking NOT NULL.
    `INSERT INTO events (${CHAINED_COLUMNS.join(', ')}, chain_seq, chain_hash)
     VALUES (${CHAINED_COLUMNS.map(() => '?').join(', ')}, ?, ?)
     ON CONFLICT (id) DO NOTHING`,
  );
  const readHead = db.prepare<[string], { last_seq: number; last_hash: Buffer }>('SELECT last_seq, last_hash FROM event_chains WHERE environment_id = ?');
  const saveHead = db.prepare(
    `INSERT INTO event_chains (environment_id, last_seq, last_hash, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (environment_id) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash, updated_at = excluded.updated_at`,
  );
  const insertRejected = db.prepare(
    `INSERT INTO rejected_events (environment_id, event_id, reason, raw, raw_sha256, first_seen_at, last_seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (environment_id, raw_sha256) DO UPDATE SET last_seen_at = excluded.last_seen_at, times_seen = times_seen + 1`,
  );
  const saveProgress = db.prepare(
    `INSERT INTO sync_cursors (environment_id, listing_since, listing_page_size, listing_next_page, listing_max_created_at, listing_page_fill, listing_started_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (environment_id) DO UPDATE SET
       listing_since = excluded.listing_since, listing_page_size = excluded.listing_page_size,
       listing_next_page = excluded.listing_next_page, listing_max_created_at = excluded.listing_max_created_at,
       listing_page_fill = excluded.listing_page_fill, listing_started_at = excluded.listing_started_at, updated_at = excluded.updated_at`,
  );
  // The high-water mark only moves forward; a listing that found nothing newer leaves it alone.
  const saveComplete = db.prepare(
    `INSERT INTO sync_cursors (environment_id, high_water, last_success_at, updated_at)
     VALUES (?, ?, ?, ?)
     ON CONFLICT (environment_id) DO UPDATE SET
       high_water = CASE WHEN sync_cursors.high_water IS NULL OR excluded.high_water > sync_cursors.high_water
                         THEN COALESCE(excluded.high_water, sync_cursors.high_water) ELSE sync_cursors.high_water END,
       listing_since = NULL, listing_page_size = NULL, listing_next_page = NULL,
       listing_max_created_at = NULL, listing_page_fill = NULL, listing_started_at = NULL,
       last_success_at = excluded.last_success_at, last_error = NULL, last_error_at = NULL,
       updated_at = excluded.updated_at`,
  );

  const recordWindow = db.prepare(
    `INSERT INTO listing_windows (environment_id, kind, since, until, started_at, completed_at, resumed_at_page, pages, served, new_events)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const countLag = db.prepare(
    `INSERT INTO visibility_lag (hour, environment_id, topic, bucket, events) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (hour, environment_id, topic, bucket) DO UPDATE SET events = events + excluded.events`,
  );
  const addCounts = db.prepare(
    `INSERT INTO event_counts (environment_id, hour, actor_type, count) VALUES (?, ?, ?, ?)
     ON CONFLICT (environment_id, hour, actor_type) DO UPDATE SET count = count + excluded.count`,
  );
  const saveCursor = (environmentId: string, cursor: CursorUpdate, now: string): void => {
    if (cursor.kind === 'none') return; // a catch-up listing's page (rule 11): the cursor is not its to move
    if (cursor.kind === 'complete') {
      saveComplete.run(environmentId, cursor.highWater, cursor.completedAt, now);
      return;
    }
    const { since, pageSize, nextPage, maxCreatedAt, pageFill, startedAt } = cursor.listing;
    saveProgress.run(environmentId, since, pageSize, nextPage, maxCreatedAt, pageFill, startedAt, now);
  };

  const write = db.transaction((pages: readonly PreparedPage[], rows: readonly ChainedValues[][], now: string): WriteResult => {
    const insertedByEnvironment = new Map<string, number>();
    const links = new ChainLinks((environmentId) => {
      const row = readHead.get(environmentId);
      return row ? { seq: row.last_seq, hash: row.last_hash } : null;
    });
    const lags = new LagTally();
    const counts = new CountTally(textHour); // rule 19
    for (const [p, page] of pages.entries()) {
      let inserted = 0;
      // Rule 16: only an incremental listing's first sightings count.
      const readAt = page.read?.by === 'incremental' ? page.read.at : null;
      for (const [i, values] of rows[p]!.entries()) {
        const link = links.next(page.environmentId, page.digests.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES));
        if (insertEvent.run(...values, link.seq, link.hash).changes > 0) {
          links.stored(page.environmentId, link);
          inserted += 1;
          counts.add(page.environmentId, values[2], values[5]);
          if (readAt !== null) lags.add(page.environmentId, values[3], values[2], readAt);
        }
      }
      for (const r of page.rejected) insertRejected.run(page.environmentId, r.eventId, r.reason, r.raw, r.rawSha256, now, now);
      saveCursor(page.environmentId, page.cursor, now);
      const w = page.window;
      if (w) recordWindow.run(page.environmentId, w.kind, w.since, w.until, w.startedAt, w.completedAt, w.resumedAtPage, w.pages, w.served, w.newEvents);
      insertedByEnvironment.set(page.environmentId, (insertedByEnvironment.get(page.environmentId) ?? 0) + inserted);
    }
    for (const [environmentId, head] of links.movedHeads()) saveHead.run(environmentId, head.seq, head.hash, now);
    for (const l of lags.rows()) countLag.run(l.hour, l.environmentId, l.topic, l.bucket, l.events);
    for (const c of counts.rows()) addCounts.run(c.environmentId, c.hour, c.actorType, c.count);
    return { insertedByEnvironment };
  });
  // Rows are parsed back before the transaction: that need not lengthen the time the write lock is
  // held. IMMEDIATE takes that lock up front: the chain head read above must not go stale under
  // another process, and a deferred transaction that upgrades to a writer can fail with BUSY at once.
  return (pages, now) => write.immediate(pages, pages.map((page) => page.rows.map(parseRow)), now);
}

function parseRow(text: string): ChainedValues {
  return JSON.parse(text) as ChainedValues;
}
