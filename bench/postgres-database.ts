/**
 * The bench's PostgreSQL: one uniquely named database per run (fa_bench_<random>), created on the
 * server `adminUrl` names and dropped when the run ends, whatever happens; inside it, a schema per
 * measured store, so each measurement starts empty and the database can be dropped in one go.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { PostgresConfig } from '../src/config.js';
import { poolSettings } from '../src/store/postgres/connection-settings.js';

export interface BenchDatabase {
  name: string;
  /** The database's URL (the admin URL with the database replaced). */
  url: string;
  /** The store settings of a schema in it. */
  settings(schema: string): PostgresConfig;
  /** Runs `work` on a connection whose search_path is `schema`, then closes it. */
  withClient<T>(schema: string, work: (client: pg.Client) => Promise<T>): Promise<T>;
  dropSchema(schema: string): Promise<void>;
  drop(): Promise<void>;
}

async function onServer(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `fa_bench_${randomBytes(6).toString('hex')}`;
  await onServer(adminUrl, `CREATE DATABASE ${name}`);
  return benchDatabase(adminUrl, name);
}

/** A kept bench database by name (fa_bench_*), created when it does not exist yet; never dropped by the bench. */
export async function openBenchDatabase(adminUrl: string, name: string): Promise<{ database: BenchDatabase; created: boolean }> {
  if (!/^fa_bench_[a-z0-9_]+$/.test(name)) throw new Error(`a kept bench database is named fa_bench_<letters, digits or _>, got "${name}"`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  let created = false;
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${name}`);
      created = true;
    }
  } finally {
    await client.end();
  }
  return { database: benchDatabase(adminUrl, name), created };
}

function benchDatabase(adminUrl: string, name: string): BenchDatabase {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const settings = (schema: string): PostgresConfig => ({ url: url.href, schema, poolSize: 8, statementTimeoutMs: 600_000 });
  const withClient = async <T>(schema: string, work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client(poolSettings(settings(schema), {}));
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    name,
    url: url.href,
    settings,
    withClient,
    dropSchema: (schema) => withClient('public', async (client) => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))),
    drop: () => onServer(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
