/**
 * The hot path: stores a batch of pages (storable-page.ts) and moves each page's cursor, in one
 * transaction, with the SQLite store's guarantees on a server many hosts write to at once:
 * - each environment's chain head row is locked (inserted first if missing) before anything of it
 *   is read, in one order for every writer, so writers of one environment take turns and each links
 *   onto the head the one before it left: a chain is never forked or interleaved;
 * - only events new to the store are linked, in batch order, each id once; an id another writer
 *   (of another environment) committed meanwhile makes the transaction run again (transaction.ts);
 * - rejected payloads are counted per distinct payload; the high-water mark only moves forward.
 *
 * Every statement is a round trip that waits for the server, and on a busy host for the server's
 * process to be scheduled, so a batch takes few: BEGIN with the store's lock, the heads locked and
 * read by one upsert, the id check (it must follow the heads' lock: a writer of the same environment
 * may have committed while this one waited), the events by one COPY (copy-rows.ts), then the
 * rejected payloads, the cursors, the windows, the heads and the event counts (rule 19) by one statement, an incremental
 * batch's visibility lag counts (rule 16) by one more, and COMMIT.
 */
import pg from 'pg';
import type { WriteResult } from '../audit-store.js';
import { linkHash, type ChainHead } from '../chain/event-chain.js';
import { CopyBytes } from './copy-bytes.js';
import { copyMessages, MESSAGE_BYTES } from './copy-rows.js';
import { foldCursors } from './fold-cursors.js';
import { lockKeys } from './locks.js';
import { EVENT_COPY_COLUMNS, type StorablePage, type StorableRejected } from './storable-page.js';
import { ConcurrentWriteError, inTransaction } from './transaction.js';
import { isoMillis } from './timestamps.js';
import { LagTally } from '../visibility-lag.js';
import { CountTally, utcHour } from '../event-counts.js';

/** The unique index on events.id (the primary key): a COPY that breaks it met an id another writer stored meanwhile. */
const EVENT_ID_KEY = 'events_pkey';
const UNIQUE_VIOLATION = '23505';
/** Room past MESSAGE_BYTES for the row that crosses it, so that a message's buffer seldom grows. */
const MESSAGE_SLACK = 16 * 1024;

/**
 * Locks each environment's head row, inserting a placeholder (sequence 0) where there is none, and
 * returns it as it stands after any writer before this one: ON CONFLICT DO UPDATE waits for such a
 * writer and then works on the row it left. The update changes nothing; it takes the row lock.
 * Rows are taken in one order (bytewise by id) for every writer, so none waits for another in a circle.
 * `xmax = 0` is true of a row version this statement inserted, not of one it updated.
 */
const LOCK_HEADS = `
INSERT INTO event_chains (environment_id, last_seq, last_hash, updated_at)
SELECT e, 0, '\\x'::bytea, $2::timestamptz FROM unnest($1::text[]) AS e ORDER BY e COLLATE "C"
ON CONFLICT (environment_id) DO UPDATE SET last_seq = event_chains.last_seq
RETURNING environment_id, last_seq, last_hash, (xmax = 0) AS created`;

const STORED_IDS = 'SELECT id FROM events WHERE id = ANY($1::text[])';

/**
 * Everything of the batch after its events, in one statement. Each part touches rows no other part
 * does (a statement must not modify one row twice): rejected_events, sync_cursors (one row per
 * environment: the batch's updates folded, foldCursors), listing_windows (new rows, in page order),
 * and event_chains (the moved heads updated, the unused placeholders deleted: disjoint sets).
 */
const FINISH = `
WITH rejected AS (
  INSERT INTO rejected_events (environment_id, event_id, reason, raw, raw_text, raw_sha256, first_seen_at, last_seen_at, times_seen)
  SELECT environment_id, event_id, reason, raw_json::jsonb, raw_text, raw_sha256, $1::timestamptz, $1::timestamptz, times_seen
  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[])
    AS r(environment_id, event_id, reason, raw_text, raw_json, raw_sha256, times_seen)
  ON CONFLICT (environment_id, raw_sha256) DO UPDATE
    SET last_seen_at = excluded.last_seen_at, times_seen = rejected_events.times_seen + excluded.times_seen
  RETURNING 1
), cursors AS (
  INSERT INTO sync_cursors (environment_id, high_water, last_success_at, listing_since, listing_page_size, listing_next_page,
                            listing_max_created_at, listing_page_fill, listing_started_at, updated_at)
  SELECT environment_id, high_water::timestamptz, last_success_at::timestamptz, listing_since::timestamptz, listing_page_size,
         listing_next_page, listing_max_created_at::timestamptz, listing_page_fill, listing_started_at::timestamptz, $1::timestamptz
  FROM unnest($9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::int[], $15::text[], $16::int[], $17::text[])
    AS c(environment_id, high_water, last_success_at, listing_since, listing_page_size, listing_next_page, listing_max_created_at, listing_page_fill, listing_started_at)
  ON CONFLICT (environment_id) DO UPDATE SET
    -- GREATEST ignores NULLs: a batch that completed no listing, or one that found nothing newer, leaves it alone.
    high_water = GREATEST(sync_cursors.high_water, excluded.high_water),
    listing_since = excluded.listing_since, listing_page_size = excluded.listing_page_size,
    listing_next_page = excluded.listing_next_page, listing_max_created_at = excluded.listing_max_created_at,
    listing_page_fill = excluded.listing_page_fill, listing_started_at = excluded.listing_started_at,
    -- Only a completed listing sets last_success_at; it clears the last error.
    last_success_at = COALESCE(excluded.last_success_at, sync_cursors.last_success_at),
    last_error = CASE WHEN excluded.last_success_at IS NULL THEN sync_cursors.last_error END,
    last_error_at = CASE WHEN excluded.last_success_at IS NULL THEN sync_cursors.last_error_at END,
    updated_at = excluded.updated_at
  RETURNING 1
), windows AS (
  INSERT INTO listing_windows (environment_id, kind, since, until, started_at, completed_at, resumed_at_page, pages, served, new_events)
  SELECT environment_id, kind, since::timestamptz, until::timestamptz, started_at::timestamptz, completed_at::timestamptz, resumed_at_page, pages, served, new_events
  FROM unnest($18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::int[], $25::int[], $26::int[], $27::int[])
    WITH ORDINALITY AS w(environment_id, kind, since, until, started_at, completed_at, resumed_at_page, pages, served, new_events, n)
  ORDER BY n
  RETURNING 1
), moved AS (
  UPDATE event_chains c SET last_seq = h.seq, last_hash = decode(h.hash, 'hex'), updated_at = $1::timestamptz
  FROM unnest($28::text[], $29::bigint[], $30::text[]) AS h(environment_id, seq, hash)
  WHERE c.environment_id = h.environment_id AND c.last_seq <> h.seq
  RETURNING 1
), counted AS (
  -- The events new to the store, counted (rule 19, event-counts.ts).
  INSERT INTO event_counts (environment_id, hour, actor_type, count)
  SELECT * FROM unnest($32::text[], $33::timestamptz[], $34::text[], $35::bigint[])
  ON CONFLICT (environment_id, hour, actor_type) DO UPDATE SET count = event_counts.count + excluded.count
  RETURNING 1
), unused AS (
  -- A head created only to be locked, for events that all turned out to be stored already.
  DELETE FROM event_chains WHERE environment_id = ANY($31::text[]) AND last_seq = 0
  RETURNING 1
)
SELECT (SELECT count(*) FROM rejected) + (SELECT count(*) FROM cursors) + (SELECT count(*) FROM windows)
     + (SELECT count(*) FROM moved) + (SELECT count(*) FROM unused) + (SELECT count(*) FROM counted) AS written`;

/** Writes `pages` in one transaction on a connection of `pool`, run again from the start when transaction.ts says so. */
export function writePagesInTransaction(pool: pg.Pool, schema: string, pages: readonly StorablePage[], now: string): Promise<WriteResult> {
  // Shared: writers go on side by side; a checkpoint (exclusive) waits for them and they for it.
  // Taken in BEGIN's round trip, before the transaction has an id: readers of the trail rely on it (trail-query.ts).
  const [a, b] = lockKeys(schema, 'store');
  return inTransaction(pool, (client) => writeStorablePages(client, pages, now), 'READ COMMITTED', `SELECT pg_advisory_xact_lock_shared(${a}, ${b})`);
}

interface LockedHead {
  head: ChainHead | null;
  /** The row was inserted by this transaction to be locked: removed again if no event is linked. */
  placeholder: boolean;
}

/** The batch's statements, on `client` inside its transaction, which holds the store's lock shared (writePagesInTransaction). */
export async function writeStorablePages(client: pg.PoolClient, pages: readonly StorablePage[], now: string): Promise<WriteResult> {
  const heads = await lockHeads(client, [...new Set(pages.filter((p) => p.events.length > 0).map((p) => p.environmentId))], now);
  const ids = pages.flatMap((p) => p.events.map((e) => e.values[0]));
  const stored = new Set(ids.length > 0 ? (await client.query<{ id: string }>({ name: 'fa_stored_ids', text: STORED_IDS, values: [ids] })).rows.map((r) => r.id) : []);

  // The COPY's data, in messages of about MESSAGE_BYTES, each ending at a row's end.
  const messages: Buffer[] = [];
  const copy = new CopyBytes(MESSAGE_BYTES + MESSAGE_SLACK);
  const insertedByEnvironment = new Map<string, number>();
  const lags = new LagTally();
  const counts = new CountTally(utcHour);
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
      // The row's COPY text was made with the page (storable-page.ts); only the chain columns are new.
      copy.bytes(event.copyBytes);
      copy.tab();
      copy.field(seq);
      copy.tab();
      copy.byteaHex(hash);
      copy.lineFeed();
      if (copy.size >= MESSAGE_BYTES) messages.push(copy.take());
      inserted += 1;
      counts.add(page.environmentId, event.values[2], event.values[5]);
      if (readAt !== null) lags.add(page.environmentId, event.values[3], event.values[2], readAt);
    }
    insertedByEnvironment.set(page.callerEnvironmentId, (insertedByEnvironment.get(page.callerEnvironmentId) ?? 0) + inserted);
  }
  if (copy.size > 0) messages.push(copy.take());
  if (messages.length > 0) {
    try {
      await copyMessages(client, 'events', EVENT_COPY_COLUMNS, messages);
    } catch (error) {
      // Only a writer of another environment can have stored one of these ids since they were
      // read (this environment's writers wait for its head); linking around it would leave a gap: start over.
      if (error instanceof pg.DatabaseError && error.code === UNIQUE_VIOLATION && error.constraint === EVENT_ID_KEY) {
        throw new ConcurrentWriteError(`an event id of this write was stored by another writer meanwhile (${error.detail ?? 'no detail'})`);
      }
      throw error;
    }
  }
  await client.query({ name: 'fa_finish_batch', text: FINISH, values: [now, ...rejectedParameters(pages), ...cursorParameters(pages), ...windowParameters(pages), ...headParameters(heads), ...countParameters(counts)] });
  await countLags(client, lags);
  return { insertedByEnvironment };
}

async function lockHeads(client: pg.PoolClient, environmentIds: string[], now: string): Promise<Map<string, LockedHead>> {
  const heads = new Map<string, LockedHead>();
  if (environmentIds.length === 0) return heads;
  const { rows } = await client.query<{ environment_id: string; last_seq: number; last_hash: Buffer; created: boolean }>({ name: 'fa_lock_heads', text: LOCK_HEADS, values: [environmentIds, now] });
  for (const row of rows) heads.set(row.environment_id, { head: row.last_seq > 0 ? { seq: row.last_seq, hash: row.last_hash } : null, placeholder: row.created });
  return heads;
}

/** The moved heads ($28–$30) and the placeholders no event was linked to ($31). */
function headParameters(heads: ReadonlyMap<string, LockedHead>): unknown[] {
  const moved = [...heads].filter(([, locked]) => locked.head !== null);
  const unused = [...heads].filter(([, locked]) => locked.placeholder && locked.head === null).map(([id]) => id);
  return [moved.map(([id]) => id), moved.map(([, l]) => l.head!.seq), moved.map(([, l]) => l.head!.hash.toString('hex')), unused];
}

/** One row per distinct payload, its first sighting's reason kept and every sighting counted, as if upserted one by one ($2–$8). */
function rejectedParameters(pages: readonly StorablePage[]): unknown[] {
  const distinct = new Map<string, { environmentId: string; rejected: StorableRejected; seen: number }>();
  for (const page of pages) {
    for (const rejected of page.rejected) {
      const key = `${page.environmentId}\u0000${rejected.rawSha256}`;
      const found = distinct.get(key);
      if (found) found.seen += 1;
      else distinct.set(key, { environmentId: page.environmentId, rejected, seen: 1 });
    }
  }
  const rows = [...distinct.values()];
  return [
    rows.map((r) => r.environmentId),
    rows.map((r) => r.rejected.eventId),
    rows.map((r) => r.rejected.reason),
    rows.map((r) => r.rejected.rawText),
    rows.map((r) => r.rejected.rawJson),
    rows.map((r) => r.rejected.rawSha256),
    rows.map((r) => r.seen),
  ];
}

/** The batch's event counts ($32–$35). */
function countParameters(counts: CountTally): unknown[] {
  const rows = counts.rows();
  return [rows.map((r) => r.environmentId), rows.map((r) => r.hour), rows.map((r) => r.actorType), rows.map((r) => r.count)];
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

/** The windows of listings that read to their end (rule 12), with the pages that end them, in page order ($18–$27). */
function windowParameters(pages: readonly StorablePage[]): unknown[] {
  const windows = pages.flatMap(({ environmentId, window: w }) => (w ? [{ environmentId, w }] : []));
  return [
    windows.map((x) => x.environmentId),
    windows.map((x) => x.w.kind),
    windows.map((x) => (x.w.since === null ? null : isoMillis(x.w.since))),
    windows.map((x) => isoMillis(x.w.until)),
    windows.map((x) => isoMillis(x.w.startedAt)),
    windows.map((x) => isoMillis(x.w.completedAt)),
    windows.map((x) => x.w.resumedAtPage),
    windows.map((x) => x.w.pages),
    windows.map((x) => x.w.served),
    windows.map((x) => x.w.newEvents),
  ];
}

/** The folded cursor rows ($9–$17). */
function cursorParameters(pages: readonly StorablePage[]): unknown[] {
  const rows = [...foldCursors(pages.map((p) => [p.environmentId, p.cursor] as const))];
  return [
    rows.map(([id]) => id),
    rows.map(([, c]) => c.highWater),
    rows.map(([, c]) => c.completedAt),
    rows.map(([, c]) => c.listing?.since ?? null),
    rows.map(([, c]) => c.listing?.pageSize ?? null),
    rows.map(([, c]) => c.listing?.nextPage ?? null),
    rows.map(([, c]) => c.listing?.maxCreatedAt ?? null),
    rows.map(([, c]) => c.listing?.pageFill ?? null),
    rows.map(([, c]) => c.listing?.startedAt ?? null),
  ];
}
