/**
 * For the copy-store tests: a SQLite store synced from the simulator, and a comparison of it with
 * its PostgreSQL copy, each read as ops read it (through the read seam, and the checkpoint state).
 */
import { expect } from 'vitest';
import type { AuditReader, QueryRow } from '../../src/store/audit-reader.js';
import type { CheckpointState } from '../../src/store/audit-store.js';
import { PostgresReader } from '../../src/store/postgres/postgres-reader.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteReader } from '../../src/store/sqlite/sqlite-reader.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { pgSettings, type TestDatabase } from './postgres.js';

async function allRows(reader: AuditReader, sql: string): Promise<QueryRow[]> {
  const cursor = await reader.openQuery(sql);
  const rows: QueryRow[] = [];
  try {
    for (;;) {
      const page = await cursor.read(1000);
      rows.push(...page);
      if (page.length < 1000) return rows;
    }
  } finally {
    await cursor.close();
  }
}

/** The same query on both stores, where their dialects differ given per store. */
type Both = string | { sqlite: string; postgres: string };

const READS: Record<string, Both> = {
  audit_trail: 'SELECT * FROM audit_trail ORDER BY event_id',
  events: {
    sqlite: 'SELECT id, environment_id, created_at, ingested_at, chain_seq, lower(hex(chain_hash)) AS chain_hash, raw FROM events ORDER BY id',
    postgres: "SELECT id, environment_id, created_at, ingested_at, chain_seq, encode(chain_hash, 'hex') AS chain_hash, raw_text AS raw FROM events ORDER BY id",
  },
  event_chains: {
    sqlite: 'SELECT environment_id, last_seq, lower(hex(last_hash)) AS last_hash, updated_at, v1_through_seq FROM event_chains ORDER BY environment_id',
    postgres: "SELECT environment_id, last_seq, encode(last_hash, 'hex') AS last_hash, updated_at, v1_through_seq FROM event_chains ORDER BY environment_id",
  },
  inventory_changes: {
    sqlite: 'SELECT seq, kind, id, lower(hex(row_digest)) AS d, seen_at, lower(hex(chain_hash)) AS h FROM inventory_changes ORDER BY seq',
    postgres: "SELECT seq, kind, id, encode(row_digest, 'hex') AS d, seen_at, encode(chain_hash, 'hex') AS h FROM inventory_changes ORDER BY seq",
  },
  environments: 'SELECT id, name, synced_at, removed_at FROM environments ORDER BY id',
  users: 'SELECT id, email, synced_at, removed_at FROM users ORDER BY id',
  spaces: 'SELECT id, environment_id, synced_at, removed_at FROM spaces ORDER BY id',
  guests: 'SELECT id, environment_id, synced_at, removed_at FROM guests ORDER BY id',
  guest_spaces: 'SELECT guest_id, space_id, last_accessed, synced_at, removed_at FROM guest_spaces ORDER BY guest_id, space_id',
  agents: 'SELECT id, slug, synced_at, removed_at FROM agents ORDER BY id',
  sync_cursors: 'SELECT * FROM sync_cursors ORDER BY environment_id',
  sync_runs:
    'SELECT id, trigger, started_at, finished_at, status, new_events, rejected, pages, requests, environments_ok, environments_failed, error, scope, job_id FROM sync_runs ORDER BY id',
  rejected_events: 'SELECT id, environment_id, event_id, reason, raw_sha256, first_seen_at, last_seen_at, times_seen FROM rejected_events ORDER BY id',
  inventory_versions: 'SELECT seq, kind, id, environment_id, valid_from, name, email, removed_at, content FROM inventory_versions ORDER BY seq',
  personal_access_tokens: 'SELECT id, name, created_at, last_used_at, first_seen_at, synced_at, removed_at FROM personal_access_tokens ORDER BY id',
  listing_windows: 'SELECT id, environment_id, kind, since, until, started_at, completed_at, resumed_at_page, pages, served, new_events FROM listing_windows ORDER BY id',
  visibility_lag: 'SELECT hour, environment_id, topic, bucket, events FROM visibility_lag ORDER BY hour, environment_id, topic, bucket',
};

export interface StoreContents {
  tables: Record<string, QueryRow[]>;
  /** What a checkpoint anchors, but the schema (which differs between the stores by nature). */
  state: Omit<CheckpointState, 'schema'>;
}

async function readAll(reader: AuditReader, dialect: 'sqlite' | 'postgres'): Promise<Record<string, QueryRow[]>> {
  const tables: Record<string, QueryRow[]> = {};
  for (const [name, sql] of Object.entries(READS)) tables[name] = await allRows(reader, typeof sql === 'string' ? sql : sql[dialect]);
  // is_prod: 0/1 in SQLite, a boolean in PostgreSQL.
  tables.audit_trail = tables.audit_trail!.map((r) => ({ ...r, is_prod: r.is_prod === true || r.is_prod === 1 ? 1 : 0 }));
  // sync_runs.details: JSON text in SQLite, jsonb (handed back parsed) in PostgreSQL.
  const details = await allRows(reader, 'SELECT id, details FROM sync_runs ORDER BY id');
  tables.sync_run_details = details.map((r) => ({ id: r.id, details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details }));
  return tables;
}

export async function sqliteContents(dbPath: string): Promise<StoreContents> {
  const reader = SqliteReader.open(dbPath);
  const store = SqliteStore.open(dbPath);
  try {
    const { schema: _schema, ...state } = await store.checkpoint((s) => s);
    return { tables: await readAll(reader, 'sqlite'), state };
  } finally {
    await store.close();
    await reader.close();
  }
}

export async function postgresContents(db: TestDatabase, schema: string): Promise<StoreContents> {
  const reader = PostgresReader.open(pgSettings(db, schema), { env: {} });
  const store = PostgresStore.open(pgSettings(db, schema), { env: {} });
  try {
    const { schema: _schema, ...state } = await store.checkpoint((s) => s);
    return { tables: await readAll(reader, 'postgres'), state };
  } finally {
    await store.close();
    await reader.close();
  }
}

/** Every row of every table the copy covers is the same in both stores, and so is every chain head and digest. */
export async function expectSameContents(dbPath: string, db: TestDatabase, schema: string): Promise<StoreContents> {
  const source = await sqliteContents(dbPath);
  const copy = await postgresContents(db, schema);
  for (const table of Object.keys(source.tables)) expect(copy.tables[table], table).toEqual(source.tables[table]);
  expect(copy.state).toEqual(source.state);
  return source;
}
