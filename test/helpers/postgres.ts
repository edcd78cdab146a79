/**
 * PostgreSQL for the tests: the server at 127.0.0.1:5432 (trust auth, user postgres). Each test
 * file gets a database of its own, created before its tests and dropped after them; each test a
 * schema of its own in it (AUDIT_DATABASE_SCHEMA), so tests share nothing.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import type { PostgresConfig } from '../../src/config.js';
import { poolSettings } from '../../src/store/postgres/connection-settings.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { readChainHeads, readChainRows } from '../../src/store/postgres/chain-rows.js';
import { chainHash } from '../../src/store/chain/event-chain.js';

export const PG_HOST = '127.0.0.1';
export const PG_PORT = 5432;

async function asAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ host: PG_HOST, port: PG_PORT, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  /** postgres://postgres@127.0.0.1:5432/<name> */
  url: string;
}

/** A uniquely named database (fa_test_<random>) for the calling test file. */
export function testDatabase(): TestDatabase {
  const name = `fa_test_${randomBytes(6).toString('hex')}`;
  beforeAll(() => asAdmin(`CREATE DATABASE ${name}`));
  afterAll(() => asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  return { name, url: `postgres://postgres@${PG_HOST}:${PG_PORT}/${name}` };
}

let schemas = 0;

/** A schema name no other test of this run uses. */
export function freshSchema(): string {
  schemas += 1;
  return `t_${process.pid}_${schemas}`;
}

export function pgSettings(db: TestDatabase, schema: string, extra: Partial<PostgresConfig> = {}): PostgresConfig {
  return { url: db.url, schema, poolSize: 4, statementTimeoutMs: 30_000, ...extra };
}

/** A store on `schema` (a fresh one by default), closed when the test ends. */
export function openPgStore(db: TestDatabase, schema = freshSchema()): { store: PostgresStore; schema: string } {
  const store = PostgresStore.open(pgSettings(db, schema), { env: {} });
  onTestFinished(() => store.close());
  return { store, schema };
}

/**
 * Runs `sql` on a connection of its own, as an analyst would, with the store's session settings
 * (schema, time zone) and its reading of times (ISO strings).
 */
export async function pgQuery<T = Record<string, unknown>>(db: TestDatabase, schema: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client(poolSettings(pgSettings(db, schema), {}));
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export interface ChainWalk {
  rows: number;
  /** Per environment: rows walked and the head's sequence. */
  environments: Record<string, { rows: number; headSeq: number | null }>;
  /** Everything that does not hold: gaps, wrong hashes, a head that does not match, `raw` edited. */
  problems: string[];
}

/**
 * Walks every chain of the store's schema as verify does: each environment's rows in sequence
 * order must count 1, 2, 3… without a gap, each hash must link the row to the one before (the
 * SQLite store's hash, event-chain.ts), the head must be the last row, and `raw` must agree with raw_text.
 */
export async function walkChains(store: PostgresStore): Promise<ChainWalk> {
  const client = await store.pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const walk: ChainWalk = { rows: 0, environments: {}, problems: [] };
    const last = new Map<string, { seq: number; hash: Buffer }>();
    for await (const row of readChainRows(client)) {
      walk.rows += 1;
      const env = (walk.environments[row.environment_id] ??= { rows: 0, headSeq: null });
      env.rows += 1;
      const previous = last.get(row.environment_id);
      if (row.chain_seq !== (previous?.seq ?? 0) + 1) walk.problems.push(`${row.environment_id}: sequence ${row.chain_seq} follows ${previous?.seq ?? 0}`);
      if (!chainHash(previous?.hash ?? null, row).equals(row.chain_hash)) walk.problems.push(`${row.environment_id}: row ${row.chain_seq} (${row.id}) does not hash to its chain hash`);
      if (!row.rawMatches) walk.problems.push(`${row.environment_id}: row ${row.chain_seq} (${row.id}) has a raw that is not its raw_text`);
      last.set(row.environment_id, { seq: row.chain_seq, hash: row.chain_hash });
    }
    for (const head of await readChainHeads(client)) {
      const env = (walk.environments[head.environment_id] ??= { rows: 0, headSeq: null });
      env.headSeq = head.last_seq;
      const end = last.get(head.environment_id);
      if (!end || end.seq !== head.last_seq || !end.hash.equals(head.last_hash)) walk.problems.push(`${head.environment_id}: the head (${head.last_seq}) is not where the chain ends (${end?.seq ?? 0})`);
    }
    await client.query('COMMIT');
    return walk;
  } finally {
    client.release();
  }
}
