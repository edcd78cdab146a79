/** What the PostgreSQL reader adds to the store contract (test/store/contract/): its parameters, its refusals, its schema check, on a real server. */
import { describe, expect, it, onTestFinished } from 'vitest';
import { AuditError } from '../../../src/errors.js';
import { verifyEventChains } from '../../../src/store/chain/verify-event-chain.js';
import type { AuditReader, QueryOptions, QueryRow } from '../../../src/store/audit-reader.js';
import { toPositional } from '../../../src/store/postgres/named-parameters.js';
import { PostgresReader } from '../../../src/store/postgres/postgres-reader.js';
import type { PostgresConfig } from '../../../src/config.js';
import { freshSchema, openPgStore, pgQuery, pgSettings, testDatabase } from '../../helpers/postgres.js';

const db = testDatabase();
const AT = '2026-11-01T00:00:00.000Z';

function openReader(settings: PostgresConfig): AuditReader {
  const reader = PostgresReader.open(settings, { env: {} });
  onTestFinished(() => reader.close());
  return reader;
}

/** A migrated store with two events, and a reader of it. */
async function populated(extra: Partial<PostgresConfig> = {}): Promise<{ reader: AuditReader; schema: string }> {
  const { store, schema } = openPgStore(db);
  const events = [1, 2].map((n) => ({
    id: `us_evt_${n}`, environmentId: 'us_env_a', createdAt: AT, topic: 'workbook:updated', domain: 'workbook', actorId: null,
    spaceId: null, workbookId: null, sheetId: null, jobId: null, acknowledgedAt: null, deletedAt: null, raw: JSON.stringify({ n }),
  }));
  await store.writePages([{ environmentId: 'us_env_a', events, rejected: [], cursor: { kind: 'complete', highWater: AT, completedAt: AT } }]);
  return { reader: openReader(pgSettings(db, schema, extra)), schema };
}

async function all(reader: AuditReader, sql: string, params: Record<string, string> = {}, options: QueryOptions = {}): Promise<QueryRow[]> {
  const cursor = await reader.openQuery(sql, params, options);
  const rows: QueryRow[] = [];
  try {
    for (let chunk = await cursor.read(10); chunk.length > 0; chunk = await cursor.read(10)) rows.push(...chunk);
  } finally {
    await cursor.close();
  }
  return rows;
}

async function eventCount(schema: string): Promise<number> {
  return Number((await pgQuery<{ n: number }>(db, schema, 'SELECT COUNT(*) AS n FROM events'))[0]!.n);
}

describe('named parameters', () => {
  it('become $1..$n, each name once, and only outside casts, strings, quoted names and comments', () => {
    const sql = `SELECT :a::text, ':b', E'it\\'s :c', $$ :d $$, $q$ :e $q$, "x:f", :a -- :g
/* :h /* :i */ :j */ FROM t WHERE y = :b2`;
    expect(toPositional(sql, { a: '1', b2: '2' })).toEqual({
      text: `SELECT $1::text, ':b', E'it\\'s :c', $$ :d $$, $q$ :e $q$, "x:f", $1 -- :g
/* :h /* :i */ :j */ FROM t WHERE y = $2`,
      values: ['1', '2'],
    });
  });

  it('a parameter the statement uses but was not given is refused, naming it', () => {
    expect(() => toPositional('SELECT :missing', {})).toThrow(expect.objectContaining({ code: 'QUERY_REFUSED', message: expect.stringContaining(':missing') }));
  });

  it('reach the server as values, never as SQL', async () => {
    const { reader } = await populated();
    const rows = await all(reader, "SELECT id, ':environment' AS literal, created_at::text AS at FROM events WHERE environment_id = :environment ORDER BY id", { environment: "us_env_a' OR '1'='1" });
    expect(rows).toEqual([]);
    expect((await all(reader, 'SELECT id FROM events WHERE environment_id = :environment ORDER BY id', { environment: 'us_env_a' })).map((r) => r.id)).toEqual(['us_evt_1', 'us_evt_2']);
  });
});

describe('what openQuery refuses', () => {
  it.each([
    ['a data-modifying WITH', 'WITH d AS (DELETE FROM events RETURNING id) SELECT * FROM d'],
    ['a second statement', 'SELECT 1; DELETE FROM events'],
    ['a write through a function', 'SELECT forget_events()'],
    ['EXPLAIN ANALYZE of a delete', 'EXPLAIN ANALYZE DELETE FROM events'],
  ])('%s, changing nothing', async (_name, sql) => {
    const { reader, schema } = await populated();
    await pgQuery(db, schema, 'CREATE FUNCTION forget_events() RETURNS bigint LANGUAGE sql AS $$ DELETE FROM events RETURNING 1 $$');
    const refused = reader.openQuery(sql);
    await expect(refused).rejects.toBeInstanceOf(AuditError);
    await expect(refused).rejects.toMatchObject({ code: 'QUERY_REFUSED' });
    expect(await eventCount(schema)).toBe(2);
    // The reader is free again.
    expect(await all(reader, 'SELECT COUNT(*) AS n FROM events')).toEqual([{ n: 2 }]);
  });

  it('a statement past the statement timeout is cancelled and refused', async () => {
    const { reader } = await populated({ statementTimeoutMs: 200 });
    const cursor = reader.openQuery('SELECT pg_sleep(30)');
    await expect(cursor).rejects.toMatchObject({ code: 'QUERY_REFUSED', message: expect.stringContaining('57014') });
  });

  it('a session setting a statement changes does not outlive it', async () => {
    const { reader } = await populated();
    await all(reader, "SELECT set_config('search_path', 'pg_catalog', false)");
    expect(await all(reader, 'SELECT COUNT(*) AS n FROM events')).toEqual([{ n: 2 }]);
  });
});

describe('the reader', () => {
  it('plans a query for how it is read: for its first rows when asked (a download), for all its rows otherwise (a page)', async () => {
    const { reader } = await populated();
    const fraction = "SELECT current_setting('cursor_tuple_fraction') AS f";
    expect(await all(reader, fraction, {}, { firstRows: true })).toEqual([{ f: '0.001' }]);
    expect(await all(reader, fraction)).toEqual([{ f: '1' }]);
  });

  it('compiles nothing with JIT: its reads are a person\'s, where compiling cost more than running', async () => {
    const { reader } = await populated();
    expect(await all(reader, "SELECT current_setting('jit') AS jit")).toEqual([{ jit: 'off' }]);
  });

  it('migrates nothing: on a schema that does not exist it fails with a one-line STORE_FAILED, and the schema is still absent', async () => {
    const schema = freshSchema();
    const reader = openReader(pgSettings(db, schema));
    await expect(reader.status({ futureDatedAfter: AT })).rejects.toMatchObject({ code: 'STORE_FAILED', message: expect.stringContaining(`(schema ${schema})`) });
    expect(await pgQuery(db, 'public', 'SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).toEqual([]);
  });

  it('the schema check finds an object added, dropped or altered behind the store\'s back, and leaves no scratch schema behind', async () => {
    const { reader, schema } = await populated();
    const clean = await reader.snapshot((view) => view.schema());
    expect(clean.differences).toEqual([]);
    await pgQuery(db, schema, 'CREATE FUNCTION nothing() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$');
    await pgQuery(db, schema, 'CREATE TRIGGER hide_deletes BEFORE DELETE ON events FOR EACH ROW EXECUTE FUNCTION nothing()');
    await pgQuery(db, schema, 'DROP INDEX events_actor_time');
    await pgQuery(db, schema, "ALTER TABLE users ALTER COLUMN email SET DEFAULT 'nobody@example.com'");
    const tampered = await reader.snapshot((view) => view.schema());
    expect(tampered.digest).not.toBe(clean.digest);
    expect(tampered.differences.map((d) => [d.kind, d.object.type, d.object.name]).sort()).toEqual([
      ['changed', 'table', 'users'],
      ['missing', 'index', 'events_actor_time'],
      ['unexpected', 'trigger', 'hide_deletes'],
    ]);
    expect(await pgQuery(db, 'public', "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'fa_expected_%'")).toEqual([]);
  });

  it('a row slipped in must forge a sequence number and a hash on PostgreSQL, and the chain walk reports it', async () => {
    const { reader, schema } = await populated();
    await expect(pgQuery(db, schema, `INSERT INTO events (id, environment_id, created_at, topic, domain, ingested_at, raw, raw_text) VALUES ('us_evt_fake', 'us_env_a', '${AT}', 'file:deleted', 'file', '${AT}', '{}', '{}')`)).rejects.toMatchObject({ code: '23502' });
    await pgQuery(db, schema, `INSERT INTO events (id, environment_id, created_at, topic, domain, ingested_at, raw, raw_text, chain_seq, chain_hash) VALUES ('us_evt_fake', 'us_env_a', '${AT}', 'file:deleted', 'file', '${AT}', '{}', '{}', 3, decode(repeat('ab', 32), 'hex'))`);
    const report = await reader.snapshot((view) => verifyEventChains(view));
    expect(report.problems.map((p) => [p.kind, p.seq, p.eventId])).toEqual([['changed', 3, 'us_evt_fake'], ['head-mismatch', 3, null]]);
  });
});
