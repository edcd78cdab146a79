/**
 * Brings the schema to the latest version. Everything, creating the schema itself included, runs
 * under a session advisory lock (locks.ts): any number of processes starting at once on a fresh
 * database queue on it, the first migrates, the others find the work done. Each migration is one
 * transaction (PostgreSQL's DDL is transactional), recorded in `schema_migrations` in it.
 */
import type pg from 'pg';
import { AuditError } from '../../errors.js';
import { lockKeys } from './locks.js';
import { MIGRATIONS, type PostgresMigration } from './migrations/index.js';

/** The table migrations are recorded in: part of the schema (schema-check.ts builds the expected one with it). */
export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
       version    integer PRIMARY KEY,
       name       text NOT NULL,
       applied_at timestamptz NOT NULL DEFAULT now()
     )`;

/** Migrates `schema` up to `target` (default: the latest); returns the version it is at. */
export async function migrate(pool: pg.Pool, schema: string, migrations: readonly PostgresMigration[] = MIGRATIONS, target = migrations.length): Promise<number> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    // A migration may outlast the statement timeout (an index on a large table), and so may the
    // wait for another process's migration.
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1, $2)', lockKeys(schema, 'migrate'));
    try {
      return await migrateLocked(client, schema, migrations, target);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', lockKeys(schema, 'migrate'));
      await client.query('RESET statement_timeout');
    }
  } catch (error) {
    // Whatever state the session is in (a lock still held?), it is not reused.
    broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release(broken);
  }
}

async function migrateLocked(client: pg.PoolClient, schema: string, migrations: readonly PostgresMigration[], target: number): Promise<number> {
  // Looked up first: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists.
  const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  // The name is checked as an identifier by config.ts; quoted all the same.
  if (exists.rowCount === 0) await client.query(`CREATE SCHEMA "${schema}"`);
  await client.query(`SET search_path TO "${schema}"`);
  await client.query(MIGRATIONS_TABLE);
  const applied = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  const current = applied.rows[0]?.version ?? 0;
  if (current > migrations.length) {
    throw new AuditError('STORE_FAILED', `the database is at schema version ${current}, newer than this flatfile-audit knows (${migrations.length}); upgrade flatfile-audit`);
  }
  let version = current;
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > target) continue;
    await client.query('BEGIN');
    try {
      await client.query(migration.sql);
      await migration.run?.(client);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    version = migration.version;
  }
  return version;
}
