/**
 * Upserts a complete inventory listing. Rows of the listing's scope that the listing no longer
 * holds are marked `removed_at` (never deleted: the audit trail still needs their names); rows
 * that come back are marked present again. Table layouts are data, one entry per kind. Each change
 * is logged in the same transaction (inventory-log.ts), so verify can tell a sync's changes from
 * edits made behind its back.
 */
import type Database from 'better-sqlite3';
import type { InventoryKind, InventoryRecords, InventorySnapshot } from '../audit-store.js';
import { createInventoryLog } from './inventory-log.js';
import type { SqliteDatabase } from './open.js';

type Value = string | number | null;

interface TableSpec<K extends InventoryKind> {
  table: string;
  /** Column holding the scope (environment id), or null for account-wide tables. */
  scopeColumn: string | null;
  columns: string[];
  values(record: InventoryRecords[K]): Value[];
  /** The column holding when a row was first listed: `first_synced_at` unless named. */
  firstSeenColumn?: string;
}

const SPECS: { [K in InventoryKind]: TableSpec<K> } = {
  environments: {
    table: 'environments',
    scopeColumn: null,
    columns: ['account_id', 'name', 'is_prod', 'raw'],
    values: (r) => [r.accountId, r.name, r.isProd ? 1 : 0, r.raw],
  },
  users: {
    table: 'users',
    scopeColumn: null,
    columns: ['email', 'name', 'created_at', 'last_active_at', 'raw'],
    values: (r) => [r.email, r.name, r.createdAt, r.lastSeenAt, r.raw],
  },
  spaces: {
    table: 'spaces',
    scopeColumn: 'environment_id',
    columns: ['environment_id', 'name', 'created_at', 'archived_at', 'created_by_user_id', 'raw'],
    values: (r) => [r.environmentId, r.name, r.createdAt, r.archivedAt, r.createdByUserId, r.raw],
  },
  guests: {
    table: 'guests',
    scopeColumn: 'environment_id',
    columns: ['environment_id', 'email', 'name', 'raw'],
    values: (r) => [r.environmentId, r.email, r.name, r.raw],
  },
  agents: {
    table: 'agents',
    scopeColumn: 'environment_id',
    columns: ['environment_id', 'slug', 'topics', 'created_at', 'raw'],
    values: (r) => [r.environmentId, r.slug, JSON.stringify(r.topics), r.createdAt, r.raw],
  },
  personal_access_tokens: {
    table: 'personal_access_tokens',
    scopeColumn: null,
    columns: ['name', 'created_at', 'last_used_at', 'raw'],
    values: (r) => [r.name, r.createdAt, r.lastUsedAt, r.raw],
    firstSeenColumn: 'first_seen_at',
  },
};

export type InventoryWriter = <K extends InventoryKind>(snapshot: InventorySnapshot<K>) => void;

export function createInventoryWriter(db: SqliteDatabase): InventoryWriter {
  const statements = new Map<InventoryKind, { upsert: Database.Statement; markRemoved: Database.Statement }>();
  const prepared = (kind: InventoryKind) => {
    let found = statements.get(kind);
    if (!found) {
      found = prepareFor(db, SPECS[kind] as TableSpec<InventoryKind>);
      statements.set(kind, found);
    }
    return found;
  };
  const upsertMembership = db.prepare(
    `INSERT INTO guest_spaces (guest_id, space_id, environment_id, last_accessed, first_synced_at, synced_at, removed_at)
     VALUES (?, ?, ?, ?, ?, ?, NULL)
     ON CONFLICT (guest_id, space_id) DO UPDATE SET
       last_accessed = excluded.last_accessed, synced_at = excluded.synced_at, removed_at = NULL`,
  );
  const markMembershipsRemoved = db.prepare(
    `UPDATE guest_spaces SET removed_at = ?
     WHERE environment_id = ? AND removed_at IS NULL
       AND guest_id || ' ' || space_id NOT IN (SELECT value FROM json_each(?))`,
  );

  const log = createInventoryLog(db);

  const write = db.transaction(<K extends InventoryKind>(snapshot: InventorySnapshot<K>) => {
    const spec = SPECS[snapshot.kind] as TableSpec<K>;
    const { upsert, markRemoved } = prepared(snapshot.kind);
    for (const record of snapshot.records) upsert.run(record.id, ...spec.values(record), snapshot.seenAt, snapshot.seenAt);
    const seenIds = JSON.stringify(snapshot.records.map((r) => r.id));
    if (spec.scopeColumn) markRemoved.run(snapshot.seenAt, snapshot.scope, seenIds);
    else markRemoved.run(snapshot.seenAt, seenIds);

    if (snapshot.kind === 'guests') {
      const seenMemberships: string[] = [];
      for (const guest of snapshot.records as Array<InventoryRecords['guests']>) {
        for (const m of guest.spaces) {
          upsertMembership.run(guest.id, m.spaceId, guest.environmentId, m.lastAccessed, snapshot.seenAt, snapshot.seenAt);
          seenMemberships.push(`${guest.id} ${m.spaceId}`);
        }
      }
      markMembershipsRemoved.run(snapshot.seenAt, snapshot.scope, JSON.stringify(seenMemberships));
      log.record('guest_spaces', snapshot.scope, seenMemberships, snapshot.seenAt);
    }
    log.record(snapshot.kind, spec.scopeColumn ? snapshot.scope : null, snapshot.records.map((r) => r.id), snapshot.seenAt);
  });
  // IMMEDIATE: take the write lock before reading, so another writing process cannot make the transaction fail with BUSY.
  return ((snapshot) => write.immediate(snapshot)) as InventoryWriter;
}

function prepareFor(db: SqliteDatabase, spec: TableSpec<InventoryKind>) {
  const columns = ['id', ...spec.columns, spec.firstSeenColumn ?? 'first_synced_at', 'synced_at'];
  const updates = [...spec.columns, 'synced_at'].map((c) => `${c} = excluded.${c}`).join(', ');
  const upsert = db.prepare(
    `INSERT INTO ${spec.table} (${columns.join(', ')}, removed_at) VALUES (${columns.map(() => '?').join(', ')}, NULL)
     ON CONFLICT (id) DO UPDATE SET ${updates}, removed_at = NULL`,
  );
  const scope = spec.scopeColumn ? `${spec.scopeColumn} = ? AND ` : '';
  const markRemoved = db.prepare(
    `UPDATE ${spec.table} SET removed_at = ? WHERE ${scope}removed_at IS NULL AND id NOT IN (SELECT value FROM json_each(?))`,
  );
  return { upsert, markRemoved };
}
