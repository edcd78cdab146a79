/**
 * What `copy-store` copies from a SQLite store into a PostgreSQL one: every table of the SQLite
 * schema, column by column, or else named in NOT_COPIED with the reason. A test holds this list
 * against the SQLite schema at its latest version, so a table or column added later cannot be
 * forgotten here (test/store/copy/copied-tables.test.ts).
 */

/**
 * How a SQLite column's value goes into PostgreSQL:
 * - text: text; time: ISO text to timestamptz; int: integer; flag: 0/1 to boolean; bytes: BLOB to bytea;
 * - json: JSON text to jsonb (sync_runs.details; any text that is not JSON is kept as a JSON string);
 * - topics: agents' topics, a JSON array, to jsonb;
 * - payload: `raw`, the API object's JSON, to `raw_text` exactly and `raw` (jsonb) made storable
 *   (src/store/postgres/storable-text.ts), as the PostgreSQL store writes it.
 */
export type ColumnKind = 'text' | 'time' | 'int' | 'flag' | 'bytes' | 'json' | 'topics' | 'payload';

export interface CopiedTable {
  table: string;
  /** The primary key: the source is read in pages by it, and rows are upserted on it. */
  key: readonly string[];
  /** Every column of the SQLite table, and how it is copied. */
  columns: Readonly<Record<string, ColumnKind>>;
  /**
   * A hash chain or a row digest covers the values, so each must reach PostgreSQL as it is, or the
   * copy could not verify there: a value PostgreSQL cannot hold as it is (a NUL character, a time
   * not in the ISO form with milliseconds) refuses the copy. Otherwise such a value is made storable.
   */
  exact: boolean;
  /**
   * append: rows are only ever added (in key order) and never change, so a pass copies the rows
   * past the target's last one, after checking that the target's last one is the source's too;
   * upsert: rows change (or are few), so every pass upserts them all, writing only those that differ.
   *   The smaller logs (versions, cuts, operator actions, listing windows) are copied so too: only
   *   events and the change log are large enough to need a tail.
   */
  mode: 'append' | 'upsert';
}

const inventory = (columns: Record<string, ColumnKind>): Pick<CopiedTable, 'columns' | 'exact' | 'mode'> => ({
  columns: { ...columns, first_synced_at: 'time', synced_at: 'time', removed_at: 'time' },
  exact: true,
  mode: 'upsert',
});

/** In the order they are copied: the events and their chains first, as they are by far the most rows. */
export const COPIED_TABLES: readonly CopiedTable[] = [
  {
    table: 'events',
    key: ['environment_id', 'chain_seq'],
    columns: {
      id: 'text', environment_id: 'text', created_at: 'time', topic: 'text', domain: 'text', actor_id: 'text', space_id: 'text',
      workbook_id: 'text', sheet_id: 'text', job_id: 'text', acknowledged_at: 'time', deleted_at: 'time', ingested_at: 'time',
      raw: 'payload', chain_seq: 'int', chain_hash: 'bytes',
    },
    exact: true,
    mode: 'append',
  },
  {
    table: 'event_chains',
    key: ['environment_id'],
    columns: { environment_id: 'text', last_seq: 'int', last_hash: 'bytes', updated_at: 'time', v1_through_seq: 'int' },
    exact: true,
    mode: 'upsert',
  },
  {
    table: 'inventory_changes',
    key: ['seq'],
    columns: { seq: 'int', kind: 'text', id: 'text', row_digest: 'bytes', seen_at: 'time', chain_hash: 'bytes' },
    exact: true,
    mode: 'append',
  },
  {
    table: 'inventory_versions',
    key: ['seq'],
    columns: { seq: 'int', kind: 'text', id: 'text', environment_id: 'text', valid_from: 'time', name: 'text', email: 'text', removed_at: 'time', content: 'text' },
    exact: true,
    mode: 'upsert',
  },
  {
    table: 'chain_cuts',
    key: ['id'],
    columns: {
      id: 'int', environment_id: 'text', prune_id: 'text', first_seq: 'int', last_seq: 'int', last_hash: 'bytes', pruned_at: 'time', command: 'text',
      archive: 'text', archive_sha256: 'text',
    },
    exact: true,
    mode: 'upsert',
  },
  { table: 'environments', key: ['id'], ...inventory({ id: 'text', account_id: 'text', name: 'text', is_prod: 'flag', raw: 'payload' }) },
  { table: 'users', key: ['id'], ...inventory({ id: 'text', email: 'text', name: 'text', created_at: 'time', last_active_at: 'time', raw: 'payload' }) },
  {
    table: 'spaces',
    key: ['id'],
    ...inventory({ id: 'text', environment_id: 'text', name: 'text', created_at: 'time', archived_at: 'time', created_by_user_id: 'text', raw: 'payload' }),
  },
  { table: 'guests', key: ['id'], ...inventory({ id: 'text', environment_id: 'text', email: 'text', name: 'text', raw: 'payload' }) },
  { table: 'guest_spaces', key: ['guest_id', 'space_id'], ...inventory({ guest_id: 'text', space_id: 'text', environment_id: 'text', last_accessed: 'time' }) },
  { table: 'agents', key: ['id'], ...inventory({ id: 'text', environment_id: 'text', slug: 'text', topics: 'topics', created_at: 'time', raw: 'payload' }) },
  {
    table: 'personal_access_tokens',
    key: ['id'],
    columns: { id: 'text', name: 'text', created_at: 'time', last_used_at: 'time', raw: 'payload', first_seen_at: 'time', synced_at: 'time', removed_at: 'time' },
    exact: true,
    mode: 'upsert',
  },
  {
    table: 'sync_cursors',
    key: ['environment_id'],
    columns: {
      environment_id: 'text', high_water: 'time', listing_since: 'time', listing_page_size: 'int', listing_next_page: 'int',
      listing_max_created_at: 'time', listing_started_at: 'time', last_success_at: 'time', last_error: 'text', last_error_at: 'time',
      updated_at: 'time', listing_page_fill: 'int',
    },
    exact: false,
    mode: 'upsert',
  },
  {
    table: 'sync_runs',
    key: ['id'],
    columns: {
      id: 'int', trigger: 'text', started_at: 'time', finished_at: 'time', status: 'text', new_events: 'int', rejected: 'int', pages: 'int',
      requests: 'int', environments_ok: 'int', environments_failed: 'int', error: 'text', details: 'json', scope: 'text', job_id: 'text',
    },
    exact: false,
    mode: 'upsert',
  },
  {
    table: 'rejected_events',
    key: ['id'],
    columns: {
      id: 'int', environment_id: 'text', event_id: 'text', reason: 'text', raw: 'payload', raw_sha256: 'text', first_seen_at: 'time',
      last_seen_at: 'time', times_seen: 'int',
    },
    exact: false,
    mode: 'upsert',
  },
  {
    table: 'operator_actions',
    key: ['id'],
    columns: { id: 'int', at: 'time', action: 'text', environment_id: 'text', operator: 'text', host: 'text', detail: 'json' },
    exact: false,
    mode: 'upsert',
  },
  {
    table: 'listing_windows',
    key: ['id'],
    columns: {
      id: 'int', environment_id: 'text', kind: 'text', since: 'time', until: 'time', started_at: 'time', completed_at: 'time', resumed_at_page: 'int',
      pages: 'int', served: 'int', new_events: 'int',
    },
    exact: false,
    mode: 'upsert',
  },
  {
    table: 'reconcile_runs',
    key: ['id'],
    columns: {
      id: 'int', environment_id: 'text', trigger: 'text', started_at: 'time', completed_at: 'time', since: 'time', until: 'time', pages: 'int',
      served: 'int', new_events: 'int', after_seq: 'int', late_before: 'time', high_water: 'time', lookback_ms: 'int', late_events: 'int',
      max_late_ms: 'int', median_late_ms: 'int', oldest_late_created_at: 'time', needed_lookback_ms: 'int',
    },
    exact: false,
    mode: 'upsert',
  },
  {
    table: 'visibility_lag',
    key: ['hour', 'environment_id', 'topic', 'bucket'],
    columns: { hour: 'time', environment_id: 'text', topic: 'text', bucket: 'int', events: 'int' },
    exact: false,
    mode: 'upsert',
  },
];

/** SQLite tables deliberately left behind, each with the reason. */
export const NOT_COPIED: Readonly<Record<string, string>> = {
  sqlite_sequence: "SQLite's own AUTOINCREMENT counter (of sync_runs); PostgreSQL's identity sequences are moved past the copied ids instead",
  sqlite_stat1: "SQLite's planner statistics (ANALYZE); PostgreSQL gathers its own",
  sqlite_stat4: "SQLite's planner statistics (ANALYZE); PostgreSQL gathers its own",
  event_counts: 'kept by the target itself: each page of events is counted into it in the transaction that copies the page (rule 19), so it equals the events copied so far',
  forward_positions:
    "a forwarder's position is its store's own ingestion order (SQLite's rowid; PostgreSQL's transaction id and sequence) and means nothing in the other store: forwarders on PostgreSQL start from 0 and send the trail again (at least once; receivers dedupe by event_id)",
};

/** Tables whose ids PostgreSQL generates (GENERATED BY DEFAULT AS IDENTITY): moved past the copied ids, so the next run or rejected payload does not collide. */
export const IDENTITY_TABLES = ['sync_runs', 'rejected_events', 'chain_cuts', 'operator_actions', 'listing_windows', 'reconcile_runs'] as const;
