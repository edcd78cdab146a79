/**
 * The hash chain on PostgreSQL: the SQLite store's format (its chainHash verifies every row here),
 * gapless and never interleaved however many writers of one environment run at once, and verifiable
 * with payloads that PostgreSQL cannot hold as sent (NUL, lone surrogates).
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../src/records.js';
import type { PageWrite } from '../../../src/store/audit-store.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { openPgStore, pgQuery, pgSettings, testDatabase, walkChains } from '../../helpers/postgres.js';
import { waitFor } from '../../helpers/wait.js';

const db = testDatabase();

function event(environmentId: string, id: string, n: number): EventRecord {
  const createdAt = new Date(Date.parse('2026-10-01T00:00:00.000Z') + n * 1000).toISOString();
  return {
    id, environmentId, createdAt, topic: 'workbook:updated', domain: 'workbook', actorId: 'us_usr_1',
    spaceId: null, workbookId: null, sheetId: null, jobId: null, acknowledgedAt: null, deletedAt: null, raw: JSON.stringify({ id, n }),
  };
}

function page(environmentId: string, from: number, to: number, prefix = `us_evt_${environmentId}`): PageWrite {
  const events = Array.from({ length: to - from + 1 }, (_v, i) => event(environmentId, `${prefix}_${from + i}`, from + i));
  return { environmentId, events, rejected: [], cursor: { kind: 'progress', listing: { since: null, pageSize: 10, nextPage: 2, maxCreatedAt: null, pageFill: 10, startedAt: '2026-11-01T00:00:00.000Z' } } };
}

async function storeWithEvents() {
  const opened = openPgStore(db);
  await opened.store.writePages([page('us_env_a', 1, 5), page('us_env_b', 1, 3)]);
  await opened.store.writePages([page('us_env_a', 4, 8)]); // 4 and 5 again: ignored, the chain does not move
  return opened;
}

describe('the event hash chain on PostgreSQL', () => {
  it('verifies with the SQLite store\'s hash, one link per stored event', async () => {
    const { store } = await storeWithEvents();
    expect(await walkChains(store)).toEqual({ rows: 11, problems: [], environments: { us_env_a: { rows: 8, headSeq: 8 }, us_env_b: { rows: 3, headSeq: 3 } } });
    expect(await store.chainHead('us_env_a')).toMatchObject({ seq: 8, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await store.chainHead('us_env_none')).toBeNull();
  });

  const unhashed = (seq: number, id: string) => `us_env_a: row ${seq} (${id}) does not hash to its chain hash`;
  it.each([
    ['an edited column', "UPDATE events SET topic = 'space:deleted' WHERE id = 'us_evt_us_env_a_3'", [unhashed(3, 'us_evt_us_env_a_3')]],
    ['an edited raw_text', `UPDATE events SET raw_text = '{"id":"us_evt_us_env_a_3","n":3} ' WHERE id = 'us_evt_us_env_a_3'`, [unhashed(3, 'us_evt_us_env_a_3')]],
    ['an edited raw (jsonb) alone', `UPDATE events SET raw = '{"n":99}' WHERE id = 'us_evt_us_env_a_3'`, ['us_env_a: row 3 (us_evt_us_env_a_3) has a raw that is not its raw_text']],
    ['a deleted row', "DELETE FROM events WHERE id = 'us_evt_us_env_a_2'", ['us_env_a: sequence 3 follows 1', unhashed(3, 'us_evt_us_env_a_3')]],
    ['a head set back', `UPDATE event_chains SET last_seq = 7 WHERE environment_id = 'us_env_a'`, ['us_env_a: the head (7) is not where the chain ends (8)']],
  ])('gives verify what it needs to find %s', async (_name, sql, problems) => {
    const { store, schema } = await storeWithEvents();
    await pgQuery(db, schema, sql);
    expect((await walkChains(store)).problems).toEqual(problems);
  });

  it('keeps payloads with NUL and lone surrogates exactly, queryable, and verifiable', async () => {
    const { store, schema } = openPgStore(db);
    const payload = { id: 'us_evt_odd', name: 'a\u0000b', lone: '\ud800x', ['key\udc00']: 1, pair: '\ud83d\ude00', nested: [{ deep: 'z\u0000' }] };
    const odd: EventRecord = { ...event('us_env_a', 'us_evt_odd', 1), actorId: 'us_usr_\u0000nul', topic: 'file:\ud800created', raw: JSON.stringify(payload) };
    expect(odd.raw).toContain('\\u0000');
    expect(odd.raw).toContain('\\ud800');
    const result = await store.writePages([{ ...page('us_env_a', 2, 3), events: [odd, ...page('us_env_a', 2, 3).events] }]);
    expect(result.insertedByEnvironment.get('us_env_a')).toBe(3);
    const [row] = await pgQuery(db, schema, `SELECT raw_text, raw, raw->>'name' AS name, actor_id, topic FROM events WHERE id = 'us_evt_odd'`);
    expect(row).toEqual({
      raw_text: odd.raw,
      raw: { id: 'us_evt_odd', name: 'a\ufffdb', lone: '\ufffdx', ['key\ufffd']: 1, pair: '\ud83d\ude00', nested: [{ deep: 'z\ufffd' }] },
      name: 'a\ufffdb',
      actor_id: 'us_usr_\ufffdnul',
      topic: 'file:\ufffdcreated',
    });
    // The exact payload is still there: what the API sent can be read back from raw_text.
    expect(JSON.parse((row as { raw_text: string }).raw_text)).toEqual(payload);
    expect(await walkChains(store)).toMatchObject({ rows: 3, problems: [] });
    // Written again: recognised by its stored id, not stored twice.
    expect((await store.writePages([{ ...page('us_env_a', 2, 2), events: [odd] }])).insertedByEnvironment.get('us_env_a')).toBe(0);
  });

  it('stores text with tabs, line breaks, backslashes and a literal \\N exactly', async () => {
    const { store, schema } = openPgStore(db);
    const text = 'a\tb\nc\rd\\e \\N \\x00 \\.';
    const payload = { id: 'us_evt_copy', text, quote: 'say "hi"\\' };
    const tricky: EventRecord = { ...event('us_env_a', 'us_evt_copy', 1), topic: text, actorId: '\\N', spaceId: null, raw: JSON.stringify(payload) };
    await store.writePages([{ ...page('us_env_a', 1, 1), events: [tricky] }]);
    const [row] = await pgQuery<{ topic: string; actor_id: string | null; space_id: string | null; raw_text: string; raw: unknown }>(
      db,
      schema,
      "SELECT topic, actor_id, space_id, raw_text, raw FROM events WHERE id = 'us_evt_copy'",
    );
    expect(row).toEqual({ topic: text, actor_id: '\\N', space_id: null, raw_text: JSON.stringify(payload), raw: payload });
    expect(await walkChains(store)).toMatchObject({ rows: 1, problems: [] });
  });

  it('keeps rejected payloads and inventories with NUL and lone surrogates', async () => {
    const { store, schema } = openPgStore(db);
    const raw = JSON.stringify({ topic: 'x\u0000', bad: '\udfff' });
    await store.writePages([{ ...page('us_env_a', 1, 1), rejected: [{ environmentId: 'us_env_a', eventId: 'us_evt_\u0000', reason: 'event has no createdAt', raw }] }]);
    await store.writeInventory({ kind: 'users', scope: null, records: [{ id: 'us_usr_1', email: 'a\u0000@example.com', name: '\ud800Ann', createdAt: null, lastSeenAt: null, raw }], seenAt: '2026-11-01T00:00:00.000Z' });
    expect(await pgQuery(db, schema, 'SELECT event_id, raw, raw_text FROM rejected_events')).toEqual([{ event_id: 'us_evt_\ufffd', raw: { topic: 'x\ufffd', bad: '\ufffd' }, raw_text: raw }]);
    expect(await pgQuery(db, schema, 'SELECT email, name, raw, raw_text FROM users')).toEqual([{ email: 'a\ufffd@example.com', name: '\ufffdAnn', raw: { topic: 'x\ufffd', bad: '\ufffd' }, raw_text: raw }]);
  });
});

describe('two writers of one environment', () => {
  it('wait for each other on the chain head: both in their transactions at once, neither links onto a stale head', async () => {
    const { store, schema } = openPgStore(db);
    await store.writePages([page('us_env_a', 1, 2)]);
    const other = PostgresStore.open(pgSettings(db, schema), { env: {} });
    // A third session holds the head, so both writers are inside their transactions when it lets go.
    const holder = new pg.Client({ connectionString: db.url, options: `-c search_path=${schema}` });
    await holder.connect();
    try {
      await other.ready();
      await holder.query('BEGIN');
      await holder.query("SELECT * FROM event_chains WHERE environment_id = 'us_env_a' FOR UPDATE");
      const writes = [store.writePages([page('us_env_a', 3, 6, 'us_evt_one')]), other.writePages([page('us_env_a', 3, 6, 'us_evt_two')])];
      await waitFor('both writers to wait for the chain head', async () => {
        const { rows } = await holder.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
          [db.name],
        );
        return rows[0]!.n === 2;
      });
      await holder.query('COMMIT');
      await Promise.all(writes);
    } finally {
      await holder.end();
      await other.close();
    }
    expect(await walkChains(store)).toMatchObject({ rows: 10, problems: [], environments: { us_env_a: { rows: 10, headSeq: 10 } } });
  });

  it('many batches from two stores at once, overlapping ids, a new environment: one gapless chain of the distinct ids', async () => {
    const { store, schema } = openPgStore(db);
    const other = PostgresStore.open(pgSettings(db, schema), { env: {} });
    try {
      await Promise.all([store.ready(), other.ready()]);
      const writer = async (s: PostgresStore, from: number) => {
        for (let batch = 0; batch < 15; batch += 1) {
          const start = from + batch * 4;
          await s.writePages([page('us_env_race', start, start + 1, 'us_evt_race'), page('us_env_race', start + 2, start + 3, 'us_evt_race')]);
        }
      };
      await Promise.all([writer(store, 0), writer(other, 30)]); // ids 30..59 written by both
    } finally {
      await other.close();
    }
    const walk = await walkChains(store);
    expect(walk).toMatchObject({ rows: 90, problems: [], environments: { us_env_race: { rows: 90, headSeq: 90 } } });
    expect(await pgQuery(db, schema, 'SELECT count(DISTINCT id)::int AS n FROM events')).toEqual([{ n: 90 }]);
  });
});

describe('an event id another writer stores meanwhile', () => {
  it('is left to that writer, and the chain gets no gap: the write starts over', async () => {
    const { store, schema } = openPgStore(db);
    await store.writePages([page('us_env_a', 1, 2)]);
    // Another writer (of another environment) is inserting one of the ids the next write brings, not yet committed.
    const holder = new pg.Client({ connectionString: db.url, options: `-c search_path=${schema}` });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(
        `INSERT INTO events (id, environment_id, created_at, topic, domain, ingested_at, raw, chain_seq, chain_hash, raw_text)
         VALUES ('us_evt_us_env_a_4', 'us_env_b', now(), 'x:y', 'x', now(), '{}', 1, '\\x00', '{}')`,
      );
      const write = store.writePages([page('us_env_a', 3, 5)]);
      await waitFor('the write to wait for the other insert', async () => {
        const { rows } = await holder.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()", [db.name]);
        return rows[0]!.n === 1;
      });
      await holder.query('COMMIT');
      expect((await write).insertedByEnvironment.get('us_env_a')).toBe(2);
    } finally {
      await holder.end();
    }
    const rows = await pgQuery<{ id: string; chain_seq: number }>(db, schema, "SELECT id, chain_seq FROM events WHERE environment_id = 'us_env_a' ORDER BY chain_seq");
    expect(rows).toEqual([
      { id: 'us_evt_us_env_a_1', chain_seq: 1 },
      { id: 'us_evt_us_env_a_2', chain_seq: 2 },
      { id: 'us_evt_us_env_a_3', chain_seq: 3 },
      { id: 'us_evt_us_env_a_5', chain_seq: 4 },
    ]);
    expect((await walkChains(store)).problems.filter((p) => p.startsWith('us_env_a'))).toEqual([]);
    // Rule 19: the write that started over counted its events once, not once per attempt.
    expect(await pgQuery(db, schema, "SELECT sum(count)::int AS n FROM event_counts WHERE environment_id = 'us_env_a'")).toEqual([{ n: 4 }]);
  });
});
