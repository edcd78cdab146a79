/** Migrations on PostgreSQL: numbered, forward only, recorded, and applied once however many processes start at once. */
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { poolSettings } from '../../../src/store/postgres/connection-settings.js';
import { migrate } from '../../../src/store/postgres/migrate.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { PostgresReader } from '../../../src/store/postgres/postgres-reader.js';
import { LATEST_VERSION, MIGRATIONS } from '../../../src/store/postgres/migrations/index.js';
import { createHash } from 'node:crypto';
import { inventoryChangeHash, inventoryRowDigest } from '../../../src/store/chain/inventory-digests.js';
import { loggedRows } from '../../../src/store/postgres/logged-rows.js';
import { freshSchema, openPgStore, pgQuery, pgSettings, testDatabase } from '../../helpers/postgres.js';
import { waitFor } from '../../helpers/wait.js';
import { actorTypeCase } from '../../../src/store/actor-type.js';
import { sql as inventoryVersionsSql } from '../../../src/store/postgres/migrations/0006-inventory-versions.js';

const db = testDatabase();

/** A migration's version by its name: the tests name the step they test, not its number. */
const versionOf = (name: string): number => MIGRATIONS.find((m) => m.name === name)!.version;

const TABLES = ['agents', 'chain_cuts', 'environments', 'event_chains', 'event_counts', 'events', 'forward_positions', 'guest_spaces', 'guests', 'inventory_changes', 'inventory_versions', 'listing_windows', 'operator_actions', 'personal_access_tokens', 'reconcile_runs', 'rejected_events', 'schema_migrations', 'spaces', 'sync_cursors', 'sync_runs', 'users', 'visibility_lag'];

async function tablesOf(schema: string): Promise<string[]> {
  const rows = await pgQuery<{ table_name: string; table_type: string }>(db, schema, 'SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema]);
  return rows.map((r) => (r.table_type === 'VIEW' ? `view ${r.table_name}` : r.table_name)).sort();
}

describe('PostgreSQL migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_m, i) => i + 1));
  });

  it('started by six stores at once on a fresh database, run once, and every store opens', async () => {
    // `public` of this file's database, created for it a moment ago: nothing in it yet.
    const schema = 'public';
    expect(await tablesOf(schema)).toEqual([]);
    const stores = Array.from({ length: 6 }, () => PostgresStore.open(pgSettings(db, schema), { env: {} }));
    try {
      await Promise.all(stores.map((s) => s.ready()));
      // Each store can use the schema at once.
      await Promise.all(stores.map((s, i) => s.recordEnvironmentError(`us_env_${i}`, 'x', '2026-11-01T00:00:00.000Z')));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
    expect(await pgQuery(db, schema, 'SELECT version, name FROM schema_migrations ORDER BY version')).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(await tablesOf(schema)).toEqual([...TABLES, 'view audit_trail', 'view guest_access', 'view guest_access_changes'].sort());
  });

  it('create the schema named by AUDIT_DATABASE_SCHEMA, concurrently too, and leave others alone', async () => {
    const schema = freshSchema();
    const stores = Array.from({ length: 4 }, () => PostgresStore.open(pgSettings(db, schema), { env: {} }));
    try {
      await Promise.all(stores.map((s) => s.ready()));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
    expect((await tablesOf(schema)).filter((t) => !t.startsWith('view'))).toEqual(TABLES);
    expect(await pgQuery(db, schema, 'SELECT count(*)::int AS n FROM schema_migrations')).toEqual([{ n: LATEST_VERSION }]);
  });

  it('ingestion-order from the version before, with events: the events stored before come first, in the order they were ingested, then new ones', async () => {
    const schema = freshSchema();
    const pool = new pg.Pool(poolSettings(pgSettings(db, schema), {}));
    const before = versionOf('ingestion-order') - 1;
    try {
      expect(await migrate(pool, schema, MIGRATIONS, before)).toBe(before);
      for (const [id, ingested, seq] of [['us_evt_late', '2026-11-02T00:00:00Z', 1], ['us_evt_early', '2026-11-01T00:00:00Z', 1], ['us_evt_early_2', '2026-11-01T00:00:00Z', 2]] as const) {
        await pool.query(
          `INSERT INTO events (id, environment_id, created_at, topic, domain, ingested_at, raw, chain_seq, chain_hash, raw_text)
           VALUES ($1, $2, '2026-10-01T00:00:00Z', 'file:deleted', 'file', $3, '{}', $4, '\\x00'::bytea, '{}')`,
          [id, id === 'us_evt_late' ? 'us_env_b' : 'us_env_a', ingested, seq],
        );
      }
    } finally {
      await pool.end();
    }
    const store = PostgresStore.open(pgSettings(db, schema), { env: {} });
    const reader = PostgresReader.open(pgSettings(db, schema), { env: {} });
    try {
      await store.ready();
      await pgQuery(db, schema, `INSERT INTO events (id, environment_id, created_at, topic, domain, ingested_at, raw, chain_seq, chain_hash, raw_text)
        VALUES ('us_evt_new', 'us_env_c', '2020-01-01T00:00:00Z', 'file:deleted', 'file', now(), '{}', 1, '\\x00'::bytea, '{}')`);
      const ids = await waitFor('the new event to settle', async () => {
        const cursor = await reader.openTrail('0');
        const rows = await cursor.read(10);
        await cursor.close();
        return rows.length === 4 ? rows.map((r) => [r.event_id, String(r.position).split('.')[0] === '0']) : undefined;
      });
      expect(ids).toEqual([['us_evt_early', true], ['us_evt_early_2', true], ['us_evt_late', true], ['us_evt_new', false]]);
    } finally {
      await reader.close();
      await store.close();
    }
  });

  it('to operator-actions (operator_actions, listing_windows) from the version before, with data: the data stays, and the schema is the one from empty', async () => {
    const schema = freshSchema();
    const fresh = freshSchema();
    const { migrate } = await import('../../../src/store/postgres/migrate.js');
    const store = PostgresStore.open(pgSettings(db, schema), { env: {} });
    const empty = PostgresStore.open(pgSettings(db, fresh), { env: {} });
    try {
      const before = versionOf('operator-actions') - 1;
      expect(await migrate(store.pool, schema, MIGRATIONS, before)).toBe(before);
      await pgQuery(db, schema, "INSERT INTO sync_cursors (environment_id, high_water, updated_at) VALUES ('us_env_a', '2026-11-01T00:00:00Z', now())");
      expect(await tablesOf(schema)).not.toContain('operator_actions');
      await store.ready();
      await empty.ready();
      expect(await pgQuery(db, schema, 'SELECT max(version)::int AS v FROM schema_migrations')).toEqual([{ v: LATEST_VERSION }]);
      expect(await tablesOf(schema)).toEqual(await tablesOf(fresh));
      expect((await store.readCursor('us_env_a'))?.highWater).toBe('2026-11-01T00:00:00.000Z');
    } finally {
      await store.close();
      await empty.close();
    }
  });

  it("reconcile-runs from the version before: listing_windows keeps its rows and takes kind 'reconcile'", async () => {
    const schema = freshSchema();
    const pool = new pg.Pool(poolSettings(pgSettings(db, schema), {}));
    const before = versionOf('reconcile-runs') - 1;
    const insert = (kind: string) =>
      pgQuery(db, schema, `INSERT INTO listing_windows (environment_id, kind, since, until, started_at, completed_at, resumed_at_page, pages, served, new_events)
                           VALUES ('us_env_a', $1, NULL, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', '2026-11-01T00:00:01Z', 1, 2, 30, 3)`, [kind]);
    try {
      expect(await migrate(pool, schema, MIGRATIONS, before)).toBe(before);
      await insert('incremental');
      await expect(insert('reconcile')).rejects.toThrow(/listing_windows_kind_check/);
      expect(await migrate(pool, schema)).toBe(LATEST_VERSION);
      await insert('reconcile');
      await expect(insert('other')).rejects.toThrow(/listing_windows_kind_check/);
    } finally {
      await pool.end();
    }
    expect(await pgQuery(db, schema, 'SELECT id::int, kind, served FROM listing_windows ORDER BY id')).toEqual([{ id: 1, kind: 'incremental', served: 30 }, { id: 3, kind: 'reconcile', served: 30 }]);
  });

  it('event-counts from the version before, with events: event_counts holds them per environment, UTC hour and the view\'s actor type', async () => {
    const schema = freshSchema();
    // A session in a time zone off UTC by a half hour must not move the hours.
    const pool = new pg.Pool({ connectionString: db.url, max: 1, options: '-c timezone=Asia/Kolkata' });
    try {
      expect(await migrate(pool, schema, MIGRATIONS, versionOf('event-counts') - 1)).toBe(versionOf('event-counts') - 1);
      await pgQuery(db, schema, `INSERT INTO events (id, environment_id, created_at, topic, domain, actor_id, ingested_at, raw, raw_text, chain_seq, chain_hash)
        SELECT 'us_evt_' || n, CASE WHEN n % 3 = 0 THEN 'us_env_b' ELSE 'us_env_a' END, '2026-10-01T00:00:00Z'::timestamptz + n * interval '11 minutes', 'x:y', 'x',
               (ARRAY[NULL, 'us_usr_1', 'us_g_1', 'us_ag_1', 'us_key_1', 'someone'])[n % 6 + 1], now(), '{}', '{}', n, '\\x00'
        FROM generate_series(1, 60) AS n`);
      expect(await migrate(pool, schema)).toBe(LATEST_VERSION);
    } finally {
      await pool.end();
    }
    const hour = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24')`;
    const counts = await pgQuery(db, schema, `SELECT environment_id, ${hour('hour')} AS hour, actor_type, count::int FROM event_counts ORDER BY 1, 2, 3`);
    expect(counts).toEqual(await pgQuery(db, schema, `SELECT environment_id, ${hour('created_at')} AS hour, actor_type, count(*)::int AS count FROM audit_trail GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`));
    expect(new Set(counts.map((r) => r.actor_type))).toEqual(new Set(['user', 'guest', 'agent', 'api_key', 'unknown']));
  });

  it('the actor-type rule is one: the view\'s CASE and the event counts\' are what src/store/actor-type.ts writes', () => {
    expect(inventoryVersionsSql).toContain(`${actorTypeCase('e.actor_id')}              AS actor_type`);
    expect(MIGRATIONS.find((m) => m.name === 'event-counts')!.sql).toContain(actorTypeCase('actor_id'));
  });

  it('from the version before the latest, with data: reach the latest schema and keep the data', async () => {
    const schema = freshSchema();
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      expect(await migrate(pool, schema, MIGRATIONS, LATEST_VERSION - 1)).toBe(LATEST_VERSION - 1);
      await pgQuery(db, schema, `INSERT INTO users (id, email, name, raw, raw_text, first_synced_at, synced_at) VALUES ('us_usr_1', 'a@example.com', 'A', '{}', '{}', now(), now())`);
      expect(await migrate(pool, schema)).toBe(LATEST_VERSION);
    } finally {
      await pool.end();
    }
    expect(await pgQuery(db, schema, 'SELECT id, email FROM users')).toEqual([{ id: 'us_usr_1', email: 'a@example.com' }]);
    expect((await tablesOf(schema)).filter((t) => !t.startsWith('view'))).toEqual(TABLES);
    const fresh = freshSchema();
    const store = PostgresStore.open(pgSettings(db, fresh), { env: {} });
    try {
      await store.ready();
    } finally {
      await store.close();
    }
    const columns = (s: string) => pgQuery(db, s, "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, column_name", [s]);
    expect(await columns(schema)).toEqual(await columns(fresh));
  });

  it('are idempotent: opening again changes nothing', async () => {
    const { store, schema } = openPgStore(db);
    await store.ready();
    const before = await pgQuery(db, schema, 'SELECT version, applied_at FROM schema_migrations');
    const again = PostgresStore.open(pgSettings(db, schema), { env: {} });
    try {
      await again.ready();
    } finally {
      await again.close();
    }
    expect(await pgQuery(db, schema, 'SELECT version, applied_at FROM schema_migrations')).toEqual(before);
  });

  it('refuse a schema from a newer flatfile-audit, and the store says so on every call', async () => {
    const { store, schema } = openPgStore(db);
    await store.ready();
    await pgQuery(db, schema, `INSERT INTO schema_migrations (version, name) VALUES (${LATEST_VERSION + 1}, 'from-the-future')`);
    const newer = PostgresStore.open(pgSettings(db, schema), { env: {} });
    try {
      await expect(newer.readCursor('us_env_a')).rejects.toThrow(`the database is at schema version ${LATEST_VERSION + 1}, newer than this flatfile-audit knows (${LATEST_VERSION}); upgrade flatfile-audit`);
      await expect(newer.checkWritable()).rejects.toThrow(/newer than this flatfile-audit knows/);
    } finally {
      await newer.close();
    }
  });

  it('inventory-versions from the version before, with data: every stored row one version, checked by its log entry, and the trail its names', async () => {
    const schema = freshSchema();
    const pool = new pg.Pool(poolSettings(pgSettings(db, schema), {}));
    const before = versionOf('inventory-versions') - 1;
    try {
      expect(await migrate(pool, schema, MIGRATIONS, before)).toBe(before);
      const client = await pool.connect();
      try {
        await client.query(`INSERT INTO users (id, email, name, raw, raw_text, first_synced_at, synced_at) VALUES
          ('us_usr_1', 'ann@example.com', 'Ann', '{}', $1, '2026-10-02T00:00:00Z', '2026-10-03T00:00:00Z')`, [JSON.stringify({ id: 'us_usr_1', updatedAt: '2026-10-01T12:00:00Z' })]);
        await client.query(`INSERT INTO agents (id, environment_id, slug, topics, raw, raw_text, first_synced_at, synced_at) VALUES
          ('us_ag_1', 'us_env_1', 'importer', '["job:ready", "file:created"]', '{}', '{}', '2026-10-02T00:00:00Z', '2026-10-03T00:00:00Z')`);
        await client.query(`INSERT INTO guest_spaces (guest_id, space_id, environment_id, first_synced_at, synced_at) VALUES ('us_g_1', 'us_sp_1', 'us_env_1', '2026-10-02T00:00:00Z', '2026-10-03T00:00:00Z')`);
        await client.query(`INSERT INTO events (id, environment_id, created_at, topic, domain, actor_id, ingested_at, raw, raw_text, chain_seq, chain_hash) VALUES
          ('us_evt_1', 'us_env_1', '2026-09-01T00:00:00Z', 'file:created', 'file', 'us_usr_1', '2026-10-02T00:00:00Z', '{}', '{}', 1, '\\x00')`);
        // The log as version 5 kept it for the rows above.
        let previous: Buffer | null = null;
        let seq = 0;
        for (const kind of ['users', 'agents', 'guest_spaces'] as const) {
          for (const row of await loggedRows(client, kind)) {
            const digest = inventoryRowDigest(kind, row);
            previous = inventoryChangeHash(previous, kind, row[0] as string, digest, '2026-10-02T00:00:00.000Z');
            seq += 1;
            await client.query('INSERT INTO inventory_changes (seq, kind, id, row_digest, seen_at, chain_hash) VALUES ($1, $2, $3, $4, $5, $6)', [seq, kind, row[0], digest, '2026-10-02T00:00:00.000Z', previous]);
          }
        }
      } finally {
        client.release();
      }
      expect(await migrate(pool, schema)).toBe(LATEST_VERSION);
    } finally {
      await pool.end();
    }
    const versions = await pgQuery<Record<string, unknown>>(db, schema, 'SELECT v.kind, v.id, v.valid_from, v.name, v.content, c.row_digest FROM inventory_versions v JOIN inventory_changes c USING (seq) ORDER BY seq');
    expect(versions.map((v) => [v.kind, v.id, v.valid_from, v.name])).toEqual([
      ['users', 'us_usr_1', '2026-10-01T12:00:00.000Z', 'Ann'],
      ['agents', 'us_ag_1', '2026-10-02T00:00:00.000Z', 'importer'],
      ['guest_spaces', 'us_g_1 us_sp_1', '2026-10-02T00:00:00.000Z', null],
    ]);
    for (const v of versions) expect(createHash('sha256').update(v.content as string).digest()).toEqual(v.row_digest);
    expect(await pgQuery(db, schema, 'SELECT actor_name, actor_current_name FROM audit_trail')).toEqual([{ actor_name: 'Ann', actor_current_name: 'Ann' }]);
  });
});
