/**
 * `flatfile-audit sync --once` into PostgreSQL, as ops run it: the real CLI, the simulator over
 * HTTP, a real server. And the database password, wherever the connection fails, is never shown.
 */
import { inspect } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { openStore } from '../../../src/store/open-store.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { runCli } from '../../helpers/cli.js';
import { freshSchema, pgQuery, pgSettings, testDatabase, walkChains } from '../../helpers/postgres.js';
import { simulator, TEST_PAT } from '../../helpers/simulator.js';
import { LogSink } from '../../helpers/sync.js';
import { tempDbPath } from '../../helpers/temp.js';

const db = testDatabase();
const PASSWORD = 'Pa55word-never-shown-9f3c';

describe('sync --once with AUDIT_DATABASE_URL', () => {
  it('stores exactly the events the API has, an odd payload included, with verifiable chains, and no SQLite file', async () => {
    const { url, sim } = await simulator({ account: { environments: 3, eventsPerEnvironment: 120, users: 5, spacesPerEnvironment: 2, guestsPerEnvironment: 3, agentsPerEnvironment: 1 } });
    const environmentId = sim.environments()[0]!.id;
    sim.addRawEvent(environmentId, { id: 'us_evt_odd', createdAt: '2026-10-15T00:00:00.000Z', topic: 'file:created', domain: 'file', context: { actorId: 'us_usr_\u0000' }, payload: { name: 'a\u0000b', lone: '\ud800' } });
    const schema = freshSchema();
    const sqlitePath = tempDbPath();
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DATABASE_URL: db.url, AUDIT_DATABASE_SCHEMA: schema, AUDIT_DB: sqlitePath, AUDIT_PAGE_SIZE: '25' };
    const result = await runCli(['sync', '--once'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/run 1 ok: 361 new events/);

    const stored = await pgQuery<{ id: string }>(db, schema, 'SELECT id FROM events ORDER BY id');
    expect(stored.map((r) => r.id)).toEqual([...sim.eventIds(), 'us_evt_odd'].sort());
    expect(await pgQuery(db, schema, `SELECT COUNT(*)::int AS rows, COUNT(DISTINCT event_id)::int AS events FROM audit_trail`)).toEqual([{ rows: 361, events: 361 }]);
    expect(await pgQuery(db, schema, `SELECT raw->'payload'->>'name' AS name FROM events WHERE id = 'us_evt_odd'`)).toEqual([{ name: 'a\ufffdb' }]);
    // No cursor ahead of the events it covers.
    expect(await pgQuery(db, schema, `SELECT COUNT(*)::int AS n FROM sync_cursors c WHERE c.high_water > (SELECT MAX(created_at) FROM events e WHERE e.environment_id = c.environment_id)`)).toEqual([{ n: 0 }]);
    expect(await pgQuery(db, schema, 'SELECT COUNT(*)::int AS n FROM users WHERE removed_at IS NULL')).toEqual([{ n: 5 }]);
    expect(await pgQuery(db, schema, `SELECT status, new_events FROM sync_runs`)).toEqual([{ status: 'ok', new_events: 361 }]);
    expect(existsSync(sqlitePath)).toBe(false);

    const store = PostgresStore.open(pgSettings(db, schema), { env: {} });
    try {
      expect(await walkChains(store)).toMatchObject({ rows: 361, problems: [] });
      // A second run re-reads the lookback window and stores nothing twice.
      const again = await runCli(['sync', '--once'], env);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/run 2 ok: 0 new events/);
      expect(await walkChains(store)).toMatchObject({ rows: 361, problems: [] });
    } finally {
      await store.close();
    }
  });

  it('reads what the URL leaves out from PGHOST, PGPORT, PGUSER and PGDATABASE, over the Unix socket too', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 20 } });
    for (const host of ['127.0.0.1', '/var/run/postgresql']) {
      const schema = freshSchema();
      const result = await runCli(['sync', '--once'], {
        FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DATABASE_URL: 'postgres://', AUDIT_DATABASE_SCHEMA: schema,
        PGHOST: host, PGPORT: '5432', PGUSER: 'postgres', PGDATABASE: db.name,
      });
      expect(result.code, result.stderr).toBe(0);
      expect((await pgQuery<{ id: string }>(db, schema, 'SELECT id FROM events ORDER BY id')).map((r) => r.id)).toEqual(sim.eventIds());
    }
  });
});

describe('the database password', () => {
  const base = async () => {
    const { url } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    return { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, LOG_LEVEL: 'trace' };
  };

  it.each([
    ['nothing listens on the port', `postgres://flatfile:${PASSWORD}@127.0.0.1:1/audit`, /postgres:\/\/flatfile@127\.0\.0\.1:1\/audit \(schema public\): .*ECONNREFUSED.*nothing listens there/],
    ['the role does not exist', `postgres://no_such_role:${PASSWORD}@127.0.0.1:5432/postgres`, /postgres:\/\/no_such_role@127\.0\.0\.1:5432\/postgres \(schema public\): role "no_such_role" does not exist \(28000\)/],
    ['the database does not exist', `postgres://postgres:${PASSWORD}@127.0.0.1:5432/no_such_database`, /database "no_such_database" does not exist \(3D000\); the database does not exist/],
    ['TLS is required of a server without it', `postgres://postgres:${PASSWORD}@127.0.0.1:5432/postgres?sslmode=require`, /postgres:\/\/postgres@127\.0\.0\.1:5432\/postgres \(schema public\): The server does not support SSL connections/],
  ])('never appears when %s: one line naming the target without it, exit 1', async (_name, databaseUrl, message) => {
    const result = await runCli(['sync', '--once'], { ...(await base()), AUDIT_DATABASE_URL: databaseUrl });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(`${result.stdout}\n${result.stderr}`).not.toContain(PASSWORD);
    expect(`${result.stdout}\n${result.stderr}`).not.toContain(encodeURIComponent(PASSWORD));
  });

  it.each([
    ['not a URL at all', `postgres://flatfile:${PASSWORD}@127.0.0.1:notaport/audit`, 'AUDIT_DATABASE_URL is not a valid URL (not shown: it may hold a password)'],
    ['another scheme', `mysql://flatfile:${PASSWORD}@127.0.0.1/audit`, 'AUDIT_DATABASE_URL must start with postgres:// or postgresql:// (value not shown: it may hold a password), got a mysql: URL'],
    ['the opaque form', `postgres:flatfile:${PASSWORD}@127.0.0.1/audit`, 'AUDIT_DATABASE_URL must start with postgres:// or postgresql://'],
  ])('never appears in the setting\'s own error (%s): exit 2', async (_name, databaseUrl, message) => {
    const result = await runCli(['sync', '--once'], { ...(await base()), AUDIT_DATABASE_URL: databaseUrl });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(`${result.stdout}\n${result.stderr}`).not.toContain(PASSWORD);
  });

  it('is in neither the error, its causes, nor a log line of it', async () => {
    const config = loadConfig({ AUDIT_DATABASE_URL: `postgres://no_such_role:${PASSWORD}@127.0.0.1:5432/postgres`, AUDIT_DATABASE_SCHEMA: 'audit' });
    // openStore connects and migrates before it hands the store out: the login fails there.
    const error = await openStore(config).then(
      async (store) => store.close(),
      (thrown: unknown) => thrown,
    );
    const store = PostgresStore.open(config.postgres!);
    const logs = new LogSink();
    try {
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/^cannot use the audit database postgres:\/\/no_such_role@127\.0\.0\.1:5432\/postgres \(schema audit\): role "no_such_role" does not exist/);
      createLogger({ level: 'trace', destination: logs }).error({ err: error }, 'store failed');
      expect(logs.text).toContain('no_such_role');
      for (const text of [inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error), logs.text, (error as Error).stack ?? '', inspect(store, { depth: 6 })]) {
        expect(text).not.toContain(PASSWORD);
      }
    } finally {
      await store.close();
    }
  });
});

describe('the README\'s read-only role for analysts and BI tools', () => {
  it('reads every table and view, also ones a later migration adds, and changes nothing', async () => {
    const { url } = await simulator({ account: { environments: 1, eventsPerEnvironment: 30 } });
    const schema = freshSchema();
    const synced = await runCli(['sync', '--once'], { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DATABASE_URL: db.url, AUDIT_DATABASE_SCHEMA: schema });
    expect(synced.code, synced.stderr).toBe(0);
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const block = /A read-only role for analysts[\s\S]*?```sql\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const reader = `reader_${schema}`;
    // The README's names: the service's role and schema are both flatfile_audit, the database audit.
    const sql = block!
      .replace(/FOR ROLE flatfile_audit/g, 'FOR ROLE postgres')
      .replace(/flatfile_audit/g, schema)
      .replace(/audit_reader/g, reader)
      .replace(/DATABASE audit /g, `DATABASE ${db.name} `)
      .replace(/PASSWORD '…'/g, "PASSWORD 'unused-with-trust-auth'");
    await pgQuery(db, schema, sql);
    try {
      const asReader = new pg.Client({ host: '127.0.0.1', port: 5432, user: reader, database: db.name });
      await asReader.connect();
      try {
        expect((await asReader.query('SELECT COUNT(*)::int AS n FROM audit_trail')).rows).toEqual([{ n: 30 }]);
        await expect(asReader.query("DELETE FROM events")).rejects.toMatchObject({ code: '25006' }); // read-only transaction
        await asReader.query('SET default_transaction_read_only = off');
        await expect(asReader.query("DELETE FROM events")).rejects.toMatchObject({ code: '42501' }); // and no privilege either
        await pgQuery(db, schema, 'CREATE TABLE added_later (n int); INSERT INTO added_later VALUES (1)');
        expect((await asReader.query('SELECT n FROM added_later')).rows).toEqual([{ n: 1 }]);
      } finally {
        await asReader.end();
      }
    } finally {
      await pgQuery(db, schema, `DROP OWNED BY ${reader}; DROP ROLE ${reader}`);
    }
  });
});
