/**
 * The hot path: stores a batch of pages (storable-page.ts) and moves each page's cursor, in one
 * transaction, with the SQLite store's guarantees on a server many hosts write to at once:
 * - each environment's chain head row is locked (inserted first if missing) before anything of it
 *   is read, in one order for every writer, so writers of one environment take turns and each links
 *   onto the head the one before it left: a chain is never forked or interleaved;
 * - only events new to the store are linked, in batch order, each id once; an id another writer
 *   (of another environment) committed meanwhile makes the transaction run again (transaction.ts);
 * - rejected payloads are counted per distinct payload; the high-water mark only moves forward.
 * Rows go in as one multi-row statement per table (arrays unnested), not one statement a row.
 */
import type pg from 'pg';
import type { CursorUpdate, WriteResult } from '../audit-store.js';
import { linkHash, type ChainHead } from '../chain/event-chain.js';
import { lockKeys } from './locks.js';
import type { StorablePage, StorableRejected } from './storable-page.js';
import { ConcurrentWriteError } from './transaction.js';
import { isoMillis } from './timestamps.js';
import { LagTally } from '../visibility-lag.js';

const INSERT_EVENTS = `
INSERT INTO events (id, environment_id, created_at, topic, domain, actor_id, space_id, workbook_id, sheet_id, job_id,
                    acknowledged_at, deleted_at, ingested_at, raw, chain_seq, chain_hash, raw_text)
SELECT id, environment_id, created_at::timestamptz, topic, domain, actor_id, space_id, workbook_id, sheet_id, job_id,
       acknowledged_at::timestamptz, deleted_at::timestamptz, ingested_at::timestamptz, COALESCE(raw_json, raw_text)::jsonb,
       chain_seq, decode(chain_hash, 'hex'), raw_text
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
            $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::bigint[], $17::text[])
  AS r(id, environment_id, created_at, topic, domain, actor_id, space_id, workbook_id, sheet_id, job_id,
       acknowledged_at, deleted_at, ingested_at, raw_text, raw_json, chain_seq, chain_hash)
ON CONFLICT (id) DO NOTHING`;

const UPSERT_REJECTED = `
INSERT INTO rejected_events (environment_id, event_id, reason, raw, raw_text, raw_sha256, first_seen_at, last_seen_at, times_seen)
SELECT environment_id, event_id, reason, raw_json::jsonb, raw_text, raw_sha256, $7::timestamptz, $7::timestamptz, times_seen
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $8::int[])
  AS r(environment_id, event_id, reason, raw_text, raw_json, raw_sha256, times_seen)
ON CONFLICT (environment_id, raw_sha256) DO UPDATE
  SET last_seen_at = excluded.last_seen_at, times_seen = rejected_events.times_seen + excluded.times_seen`;

const SAVE_PROGRESS = `
INSERT INTO sync_cursors (environment_id, listing_since, listing_page_size, listing_next_page, listing_max_created_at, listing_page_fill, listing_started_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (environment_id) DO UPDATE SET
  listing_since = excluded.listing_since, listing_page_size = excluded.listing_page_size,
  listing_next_page = excluded.listing_next_page, listing_max_created_at = excluded.listing_max_created_at,
  listing_page_fill = excluded.listing_page_fill, listing_started_at = excluded.listing_started_at, updated_at = excluded.updated_at`;

// The high-water mark only moves forward (GREATEST ignores NULLs: a listing that found nothing newer leaves it alone).
const SAVE_COMPLETE = `
INSERT INTO sync_cursors (environment_id, high_water, last_success_at, updated_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (environment_id) DO UPDATE SET
  high_water = GREATEST(sync_cursors.high_water, excluded.high_water),
  listing_since = NULL, listing_page_size = NULL, listing_next_page = NULL,
  listing_max_created_at = NULL, listing_page_fill = NULL, listing_started_at = NULL,
  last_success_at = excluded.last_success_at, last_error = NULL, last_error_at = NULL,
  updated_at = excluded.updated_at`;

interface LockedHead {
  head: ChainHead | null;
  /** The row was inserted by this transaction to be locked: removed again if no event is linked. */
  placeholder: boolean;
}

export async function writeStorablePages(client: pg.PoolClient, schema: string, pages: readonly StorablePage[], now: string): Promise<WriteResult> {
  // Shared: writers go on side by side; a checkpoint (exclusive) waits for them and they for it.
  // The first statement, before the transaction has an id: readers of the trail rely on it (trail-query.ts).
  await client.query('SELECT pg_advisory_xact_lock_shared($1, $2)', lockKeys(schema, 'store'));
  const heads = await lockHeads(client, [...new Set(pages.filter((p) => p.events.length > 0).map((p) => p.environmentId))], now);
  const ids = pages.flatMap((p) => p.events.map((e) => e.values[0]));
  const stored = new Set(ids.length > 0 ? (await client.query<{ id: string }>('SELECT id FROM events WHERE id = ANY($1::text[])', [ids])).rows.map((r) => r.id) : []);

  const columns: unknown[][] = Array.from({ length: 17 }, () => []);
  const insertedByEnvironment = new Map<string, number>();
  const lags = new LagTally();
  for (const page of pages) {
    let inserted = 0;
    const locked = heads.get(page.environmentId);
    // Rule 16: only an incremental listing's first sightings count.
    const readAt = page.read?.by === 'incremental' ? page.read.at : null;
    for (const event of page.events) {
      const id = event.values[0];
      if (stored.has(id)) continue; // re-read: already stored (or earlier in this batch)
      stored.add(id);
      const seq = (locked!.head?.seq ?? 0) + 1;
      const hash = linkHash(locked!.head?.hash ?? null, event.digest);
      locked!.head = { seq, hash };
      const v = event.values;
      const row = [v[0], page.environmentId, v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], event.rawJson, seq, hash.toString('hex')];
      row.forEach((value, c) => columns[c]!.push(value));
      inserted += 1;
      if (readAt !== null) lags.add(page.environmentId, v[3], v[2], readAt);
    }
    insertedByEnvironment.set(page.callerEnvironmentId, (insertedByEnvironment.get(page.callerEnvironmentId) ?? 0) + inserted);
  }
  const rowCount = columns[0]!.length;
  if (rowCount > 0) {
    const result = await client.query(INSERT_EVENTS, columns);
    if (result.rowCount !== rowCount) {
      // Only a writer of another environment can have stored one of these ids meanwhile (this
      // environment's writers wait for its head); linking around it would leave a gap: start over.
      throw new ConcurrentWriteError(`${rowCount - (result.rowCount ?? 0)} event id(s) were stored by another writer during this write`);
    }
  }
  await upsertRejected(client, pages, now);
  await saveCursors(client, pages, now);
  await recordWindows(client, pages);
  await countLags(client, lags);
  await saveHeads(client, heads, now);
  return { insertedByEnvironment };
}

/**
 * Locks each environment's head row, creating a placeholder (sequence 0) where there is none, in
 * one order (bytewise by id) for every writer, so two writers never wait for each other in a circle.
 */
async function lockHeads(client: pg.PoolClient, environmentIds: string[], now: string): Promise<Map<string, LockedHead>> {
  const heads = new Map<string, LockedHead>();
  if (environmentIds.length === 0) return heads;
  const created = await client.query<{ environment_id: string }>(
    `INSERT INTO event_chains (environment_id, last_seq, last_hash, updated_at)
     SELECT e, 0, '\\x'::bytea, $2::timestamptz FROM unnest($1::text[]) AS e ORDER BY e COLLATE "C"
     ON CONFLICT (environment_id) DO NOTHING RETURNING environment_id`,
    [environmentIds, now],
  );
  const placeholders = new Set(created.rows.map((r) => r.environment_id));
  const locked = await client.query<{ environment_id: string; last_seq: number; last_hash: Buffer }>(
    `SELECT environment_id, last_seq, last_hash FROM event_chains WHERE environment_id = ANY($1::text[]) ORDER BY environment_id FOR UPDATE`,
    [environmentIds],
  );
  for (const row of locked.rows) {
    heads.set(row.environment_id, { head: row.last_seq > 0 ? { seq: row.last_seq, hash: row.last_hash } : null, placeholder: placeholders.has(row.environment_id) });
  }
  return heads;
}

async function saveHeads(client: pg.PoolClient, heads: ReadonlyMap<string, LockedHead>, now: string): Promise<void> {
  const moved = [...heads].filter(([, locked]) => locked.head !== null);
  if (moved.length > 0) {
    await client.query(
      `UPDATE event_chains c SET last_seq = h.seq, last_hash = decode(h.hash, 'hex'), updated_at = $4
       FROM unnest($1::text[], $2::bigint[], $3::text[]) AS h(environment_id, seq, hash)
       WHERE c.environment_id = h.environment_id AND c.last_seq <> h.seq`,
      [moved.map(([id]) => id), moved.map(([, l]) => l.head!.seq), moved.map(([, l]) => l.head!.hash.toString('hex')), now],
    );
  }
  // A head created only to be locked, for events that all turned out to be stored already.
  const unused = [...heads].filter(([, locked]) => locked.placeholder && locked.head === null).map(([id]) => id);
  if (unused.length > 0) await client.query('DELETE FROM event_chains WHERE environment_id = ANY($1::text[]) AND last_seq = 0', [unused]);
}

/** One row per distinct payload, its first sighting's reason kept and every sighting counted, as if upserted one by one. */
async function upsertRejected(client: pg.PoolClient, pages: readonly StorablePage[], now: string): Promise<void> {
  const distinct = new Map<string, { environmentId: string; rejected: StorableRejected; seen: number }>();
  for (const page of pages) {
    for (const rejected of page.rejected) {
      const key = `${page.environmentId}\u0000${rejected.rawSha256}`;
      const found = distinct.get(key);
      if (found) found.seen += 1;
      else distinct.set(key, { environmentId: page.environmentId, rejected, seen: 1 });
    }
  }
  if (distinct.size === 0) return;
  const rows = [...distinct.values()];
  await client.query(UPSERT_REJECTED, [
    rows.map((r) => r.environmentId),
    rows.map((r) => r.rejected.eventId),
    rows.map((r) => r.rejected.reason),
    rows.map((r) => r.rejected.rawText),
    rows.map((r) => r.rejected.rawJson),
    rows.map((r) => r.rejected.rawSha256),
    now,
    rows.map((r) => r.seen),
  ]);
}

/** Adds the batch's first sightings to the visibility lag counts (rule 16). */
async function countLags(client: pg.PoolClient, lags: LagTally): Promise<void> {
  const rows = lags.rows();
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO visibility_lag (hour, environment_id, topic, bucket, events)
     SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::int[], $5::int[])
     ON CONFLICT (hour, environment_id, topic, bucket) DO UPDATE SET events = visibility_lag.events + excluded.events`,
    [rows.map((r) => r.hour), rows.map((r) => r.environmentId), rows.map((r) => r.topic), rows.map((r) => r.bucket), rows.map((r) => r.events)],
  );
}

/** The windows of listings that read to their end (rule 12), with the pages that end them. */
async function recordWindows(client: pg.PoolClient, pages: readonly StorablePage[]): Promise<void> {
  for (const { environmentId, window: w } of pages) {
    if (!w) continue;
    await client.query(
      `INSERT INTO listing_windows (environment_id, kind, since, until, started_at, completed_at, resumed_at_page, pages, served, new_events)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [environmentId, w.kind, w.since === null ? null : isoMillis(w.since), isoMillis(w.until), isoMillis(w.startedAt), isoMillis(w.completedAt), w.resumedAtPage, w.pages, w.served, w.newEvents],
    );
  }
}

/**
 * Each page's cursor update, in page order. A progress update followed by another for the same
 * environment is skipped: the later one sets every column it would have set.
 */
async function saveCursors(client: pg.PoolClient, pages: readonly StorablePage[], now: string): Promise<void> {
  const updates = pages.map((p) => [p.environmentId, p.cursor] as const);
  for (const [i, [environmentId, cursor]] of updates.entries()) {
    // A catch-up listing's page (rule 11) moves no cursor, nor does it stand in for a later update.
    if (cursor.kind === 'none') continue;
    const next = updates.slice(i + 1).find(([id, update]) => id === environmentId && update.kind !== 'none')?.[1];
    if (cursor.kind === 'progress' && next?.kind === 'progress') continue;
    await saveCursor(client, environmentId, cursor, now);
  }
}

async function saveCursor(client: pg.PoolClient, environmentId: string, cursor: CursorUpdate, now: string): Promise<void> {
  if (cursor.kind === 'none') return;
  if (cursor.kind === 'complete') {
    await client.query(SAVE_COMPLETE, [environmentId, cursor.highWater, cursor.completedAt, now]);
    return;
  }
  const { since, pageSize, nextPage, maxCreatedAt, pageFill, startedAt } = cursor.listing;
  await client.query(SAVE_PROGRESS, [environmentId, since, pageSize, nextPage, maxCreatedAt, pageFill, startedAt, now]);
}
