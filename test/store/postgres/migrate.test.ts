/** Migrations on PostgreSQL: numbered, forward only, recorded, and applied once however many processes start at once. */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/store/postgres/migrate.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { LATEST_VERSION, MIGRATIONS } from '../../../src/store/postgres/migrations/index.js';
import { freshSchema, openPgStore, pgQuery, pgSettings, testDatabase } from '../../helpers/postgres.js';

const db = testDatabase();

const TABLES = ['agents', 'environments', 'event_chains', 'events', 'guest_spaces', 'guests', 'inventory_changes', 'personal_access_tokens', 'rejected_events', 'schema_migrations', 'spaces', 'sync_cursors', 'sync_runs', 'users'];

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
    expect(await tablesOf(schema)).toEqual([...TABLES, 'view audit_trail']);
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
});
