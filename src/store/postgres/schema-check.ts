/**
 * The store's schema against what flatfile-audit's migrations create at its version (SchemaCheck),
 * from PostgreSQL's catalog. The expected objects are derived, not kept by hand: the migrations
 * run in a scratch schema inside a transaction that is always rolled back (PostgreSQL's DDL is
 * transactional), so nothing of it is ever committed; that needs CREATE on the database, as
 * creating the store did.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { SchemaCheck, SchemaObject } from '../audit-snapshot.js';
import { compareSchema, schemaDigest } from '../sqlite/schema-objects.js';
import { MIGRATIONS_TABLE } from './migrate.js';
import { LATEST_VERSION, MIGRATIONS } from './migrations/index.js';
import { readSchema } from './schema-objects.js';

const expected = new Map<string, SchemaObject[]>();

/**
 * The objects the migrations create up to `version` (which must be one they know) as they would
 * be in `schema`, built on a connection of `pool`.
 */
export async function expectedSchema(pool: pg.Pool, schema: string, version: number): Promise<SchemaObject[]> {
  const key = `${version} ${schema}`;
  const known = expected.get(key);
  if (known) return known;
  const scratch = `fa_expected_${randomBytes(6).toString('hex')}`;
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL statement_timeout = 0');
      await client.query(`CREATE SCHEMA "${scratch}"`);
      // Definitions print names unqualified only when their schema is on the search path, as the store's is.
      await client.query(`SET LOCAL search_path TO "${scratch}"`);
      await client.query(MIGRATIONS_TABLE);
      for (const migration of MIGRATIONS) if (migration.version <= version) await client.query(migration.sql);
      // The server prints index and trigger definitions with their table's schema, always: the
      // scratch schema's name is put back to the store's, as the server would print it.
      const qualified = (await client.query<{ name: string }>('SELECT quote_ident($1) AS name', [schema])).rows[0]!.name;
      const objects = (await readSchema(client, scratch)).map((o) => ({ ...o, sql: o.sql.replaceAll(`${scratch}.`, `${qualified}.`) }));
      expected.set(key, objects);
      return objects;
    } finally {
      await client.query('ROLLBACK');
    }
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release(broken);
  }
}

/** The schema as `client` (inside the snapshot's transaction) sees it, checked against the migrations'. */
export async function checkSchema(client: pg.PoolClient, pool: pg.Pool, schema: string): Promise<SchemaCheck> {
  const version = (await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations')).rows[0]?.version ?? 0;
  const actual = await readSchema(client, schema);
  const unknownVersion = version > LATEST_VERSION;
  return {
    version,
    digest: schemaDigest(actual),
    differences: unknownVersion ? [] : compareSchema(actual, await expectedSchema(pool, schema, version)),
    unknownVersion,
    latestVersion: LATEST_VERSION,
  };
}

/** The digest of the schema the migrations create at `version`; undefined for one they do not know. */
export async function schemaDigestAt(pool: pg.Pool, schema: string, version: number): Promise<string | undefined> {
  return version > LATEST_VERSION || version < 0 ? undefined : schemaDigest(await expectedSchema(pool, schema, version));
}
