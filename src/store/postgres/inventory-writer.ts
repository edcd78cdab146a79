/**
 * Upserts a complete inventory listing, as the SQLite store does (src/store/sqlite/inventory-writer.ts):
 * rows of the listing's scope that it no longer holds are marked `removed_at` (never deleted), rows
 * that come back are marked present again, and each change is logged in the same transaction
 * (inventory-log.ts). One multi-row statement per table; a listing that names an id twice keeps
 * its last record, as one upsert after another would. The log's lock is taken after the table
 * writes, just before the log is appended to (see writeInventorySnapshot).
 */
import type pg from 'pg';
import type { InventoryKind, InventoryRecords, InventorySnapshot } from '../audit-store.js';
import { lockKeys } from './locks.js';
import { lockInventoryLog, recordChanges } from './inventory-log.js';
import { storableJson, storableText, storableTextOrNull } from './storable-text.js';
import { isoMillis, isoMillisOrNull } from './timestamps.js';

type Value = string | null;

interface Column {
  name: string;
  /** The SQL type its text parameter is cast to. */
  type: 'text' | 'timestamptz' | 'boolean' | 'jsonb';
}

interface TableSpec<K extends InventoryKind> {
  table: string;
  /** Column holding the scope (environment id), or null for account-wide tables. */
  scopeColumn: string | null;
  /** Content columns besides `raw` (jsonb) and `raw_text`, which every inventory has. */
  columns: Column[];
  values(record: InventoryRecords[K]): Value[];
  /** The column holding when a row was first listed: `first_synced_at` unless named. */
  firstSeenColumn?: string;
}

const text = (name: string): Column => ({ name, type: 'text' });
const time = (name: string): Column => ({ name, type: 'timestamptz' });

const SPECS: { [K in InventoryKind]: TableSpec<K> } = {
  environments: {
    table: 'environments',
    scopeColumn: null,
    columns: [text('account_id'), text('name'), { name: 'is_prod', type: 'boolean' }],
    values: (r) => [storableTextOrNull(r.accountId), storableText(r.name), String(r.isProd)],
  },
  users: {
    table: 'users',
    scopeColumn: null,
    columns: [text('email'), text('name'), time('created_at'), time('last_active_at')],
    values: (r) => [storableTextOrNull(r.email), storableTextOrNull(r.name), isoMillisOrNull(r.createdAt), isoMillisOrNull(r.lastSeenAt)],
  },
  spaces: {
    table: 'spaces',
    scopeColumn: 'environment_id',
    columns: [text('environment_id'), text('name'), time('created_at'), time('archived_at'), text('created_by_user_id')],
    values: (r) => [storableText(r.environmentId), storableTextOrNull(r.name), isoMillisOrNull(r.createdAt), isoMillisOrNull(r.archivedAt), storableTextOrNull(r.createdByUserId)],
  },
  guests: {
    table: 'guests',
    scopeColumn: 'environment_id',
    columns: [text('environment_id'), text('email'), text('name')],
    values: (r) => [storableText(r.environmentId), storableTextOrNull(r.email), storableTextOrNull(r.name)],
  },
  agents: {
    table: 'agents',
    scopeColumn: 'environment_id',
    columns: [text('environment_id'), text('slug'), { name: 'topics', type: 'jsonb' }, time('created_at')],
    values: (r) => [storableText(r.environmentId), storableTextOrNull(r.slug), JSON.stringify(r.topics.map(storableText)), isoMillisOrNull(r.createdAt)],
  },
  personal_access_tokens: {
    table: 'personal_access_tokens',
    scopeColumn: null,
    columns: [text('name'), time('created_at'), time('last_used_at')],
    values: (r) => [storableTextOrNull(r.name), isoMillisOrNull(r.createdAt), isoMillisOrNull(r.lastUsedAt)],
    firstSeenColumn: 'first_seen_at',
  },
};

/** Writes one listing in one transaction on `client` (the caller's), holding the locks it needs. */
export async function writeInventorySnapshot<K extends InventoryKind>(client: pg.PoolClient, schema: string, snapshot: InventorySnapshot<K>): Promise<void> {
  // The inventories are part of what a checkpoint anchors: shared with other writers, not with a checkpoint.
  await client.query('SELECT pg_advisory_xact_lock_shared($1, $2)', lockKeys(schema, 'store'));
  const spec = SPECS[snapshot.kind] as TableSpec<K>;
  const seenAt = isoMillis(snapshot.seenAt);
  const scope = snapshot.scope === null ? null : storableText(snapshot.scope);
  const records = lastOfEachId(snapshot.records, (r) => storableText(r.id));
  const ids = [...records.keys()];
  await upsertRows(client, spec, records, seenAt);
  const scopeFilter = spec.scopeColumn ? `${spec.scopeColumn} = $3 AND ` : '';
  await client.query(
    `UPDATE ${spec.table} SET removed_at = $1 WHERE ${scopeFilter}removed_at IS NULL AND NOT (id = ANY($2::text[]))`,
    spec.scopeColumn ? [seenAt, ids, scope] : [seenAt, ids],
  );
  const memberships = snapshot.kind === 'guests' ? await writeMemberships(client, [...records.values()] as Array<InventoryRecords['guests']>, scope, seenAt) : undefined;
  // The log's turn is taken only now, its table writes done: every writer of the log waits for the
  // one before it from here to its commit, so the less it does in between, the shorter the queue.
  // Its rows stay locked by this transaction until then, so what it logs of them is what it commits.
  await lockInventoryLog(client, schema);
  if (memberships !== undefined) await recordChanges(client, 'guest_spaces', scope, memberships, seenAt);
  await recordChanges(client, snapshot.kind, spec.scopeColumn ? scope : null, ids, seenAt);
}

async function upsertRows<K extends InventoryKind>(client: pg.PoolClient, spec: TableSpec<K>, records: ReadonlyMap<string, InventoryRecords[K]>, seenAt: string): Promise<void> {
  if (records.size === 0) return;
  const columns: Value[][] = [[...records.keys()], ...spec.columns.map(() => []), [], []];
  for (const record of records.values()) {
    spec.values(record).forEach((value, c) => columns[c + 1]!.push(value));
    const rawText = storableText(record.raw);
    columns[spec.columns.length + 1]!.push(rawText);
    columns[spec.columns.length + 2]!.push(storableJson(rawText));
  }
  const names = spec.columns.map((c) => c.name);
  const casts = spec.columns.map((c) => (c.type === 'text' ? c.name : `${c.name}::${c.type}`));
  const unnest = columns.map((_c, i) => `$${i + 2}::text[]`).join(', ');
  const updates = [...names, 'raw', 'raw_text', 'synced_at'].map((c) => `${c} = excluded.${c}`).join(', ');
  await client.query(
    `INSERT INTO ${spec.table} (id, ${names.join(', ')}, raw, raw_text, ${spec.firstSeenColumn ?? 'first_synced_at'}, synced_at, removed_at)
     SELECT id, ${casts.join(', ')}, COALESCE(raw_json, raw_text)::jsonb, raw_text, $1::timestamptz, $1::timestamptz, NULL
     FROM unnest(${unnest}) AS r(id, ${names.join(', ')}, raw_text, raw_json)
     ON CONFLICT (id) DO UPDATE SET ${updates}, removed_at = NULL`,
    [seenAt, ...columns],
  );
}

/** Upserts the guests' space memberships and marks the scope's others removed; returns the "guest space" ids seen. */
async function writeMemberships(client: pg.PoolClient, guests: ReadonlyArray<InventoryRecords['guests']>, scope: string | null, seenAt: string): Promise<string[]> {
  const memberships = new Map<string, [guestId: string, spaceId: string, environmentId: string, lastAccessed: string | null]>();
  for (const guest of guests) {
    for (const m of guest.spaces) {
      const [guestId, spaceId] = [storableText(guest.id), storableText(m.spaceId)];
      memberships.set(`${guestId} ${spaceId}`, [guestId, spaceId, storableText(guest.environmentId), isoMillisOrNull(m.lastAccessed)]);
    }
  }
  const rows = [...memberships.values()];
  if (rows.length > 0) {
    await client.query(
      `INSERT INTO guest_spaces (guest_id, space_id, environment_id, last_accessed, first_synced_at, synced_at, removed_at)
       SELECT guest_id, space_id, environment_id, last_accessed::timestamptz, $1::timestamptz, $1::timestamptz, NULL
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS m(guest_id, space_id, environment_id, last_accessed)
       ON CONFLICT (guest_id, space_id) DO UPDATE SET last_accessed = excluded.last_accessed, synced_at = excluded.synced_at, removed_at = NULL`,
      [seenAt, rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])],
    );
  }
  const seen = [...memberships.keys()];
  await client.query(
    `UPDATE guest_spaces SET removed_at = $1
     WHERE environment_id = $2 AND removed_at IS NULL AND NOT ((guest_id || ' ' || space_id) = ANY($3::text[]))`,
    [seenAt, scope, seen],
  );
  return seen;
}

function lastOfEachId<T>(records: readonly T[], idOf: (record: T) => string): Map<string, T> {
  const byId = new Map<string, T>();
  for (const record of records) {
    const id = idOf(record);
    byId.delete(id); // re-inserted: a Map keeps first-insertion order otherwise
    byId.set(id, record);
  }
  return byId;
}
