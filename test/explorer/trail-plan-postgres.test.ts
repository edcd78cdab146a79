/**
 * A deep trail page (before=) on PostgreSQL searches the time index from its position: the keyset
 * gives the planner a bound on created_at it can use as an index condition, where an OR alone left
 * it walking every newer row. A page of an actor type no row has never reads the trail: one probe
 * of the actor index answers it. An actor filter searches the actor index for the ids it names, and
 * free text that names no space reads the trail only through the index of a term that matches (the
 * plans are PostgreSQL's own; timing is the bench's job).
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { trailPage, trailTimeline, type Statement } from '../../src/explorer/trail-sql.js';
import { downloadStatement } from '../../src/explorer/download.js';
import { openStore } from '../../src/store/open-store.js';
import { poolSettings } from '../../src/store/postgres/connection-settings.js';
import { freshSchema, pgSettings, testDatabase } from '../helpers/postgres.js';

const db = testDatabase();

function inline(statement: Statement): string {
  // Only the statement's parameters: a time format holds `:00`.
  return statement.sql.replace(/:(\w+)/g, (m, name: string) => (name in statement.params ? `'${statement.params[name]!}'` : m));
}

describe('the trail keyset on PostgreSQL', () => {
  it('bounds a deep page by an index condition on created_at', async () => {
    const schema = freshSchema();
    const store = await openStore({ dbPath: '/nonexistent/unused.db', postgres: pgSettings(db, schema) });
    await store.close();
    const statement = trailPage({}, { createdAt: '2026-10-16T00:00:00.000Z', eventId: 'us_evt_x' }, 51);
    const sql = inline(statement);
    const client = new pg.Client(poolSettings(pgSettings(db, schema), {}));
    await client.connect();
    try {
      // An empty table would be read whole whatever the query; the question is what bounds the index walk.
      await client.query('SET enable_seqscan = off');
      const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Cond: \(.*created_at <= /);
    } finally {
      await client.end();
    }
  });

  it('answers a page of an actor type no row has without reading the trail', async () => {
    const schema = freshSchema();
    const store = await openStore({ dbPath: '/nonexistent/unused.db', postgres: pgSettings(db, schema) });
    await store.close();
    const client = new pg.Client(poolSettings(pgSettings(db, schema), {}));
    await client.connect();
    try {
      // Empty tables: the question is which reads run at all, not what they find.
      await client.query('SET enable_seqscan = off');
      const rows = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${inline(trailPage({ actorType: 'api_key' }, undefined, 51))}`)).rows;
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Only Scan using events_actor_time on events\b/);
      // Every read of the events table under the page's pick is marked as never run.
      const trailReads = rows.map((r) => r['QUERY PLAN']).filter((line) => /Scan .*on events e\b/.test(line));
      expect(trailReads.length).toBeGreaterThan(0);
      for (const line of trailReads) expect(line).toMatch(/never executed/);
    } finally {
      await client.end();
    }
  });

  /**
   * The plan lines of `statement` over a fresh schema holding a trail of 50,000 events (60 actors,
   * 8 environments, 90 days) and, as a store just filled, no statistics: what the planner then
   * guesses is the question, and an empty table would be read whole by any plan.
   */
  async function planLines(statement: Statement, analyze: boolean): Promise<string[]> {
    const schema = freshSchema();
    const store = await openStore({ dbPath: '/nonexistent/unused.db', postgres: pgSettings(db, schema) });
    await store.close();
    const client = new pg.Client(poolSettings(pgSettings(db, schema), {}));
    await client.connect();
    try {
      await client.query(`INSERT INTO events (id, environment_id, created_at, topic, domain, actor_id, space_id, ingested_at, raw, chain_seq, chain_hash, raw_text)
        SELECT 'us_evt_' || i, 'us_env_' || (i % 8), timestamptz '2026-11-30' - i * interval '155 seconds', 'job:completed', 'job',
               'us_usr_' || (i % 60), 'us_sp_' || (i % 40), now(), '{}', i, '\\x00', '{}'
        FROM generate_series(1, 50000) AS i`);
      await client.query('SET jit = off');
      const options = analyze ? '(ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)' : '(COSTS OFF)';
      return (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${options} ${inline(statement)}`)).rows.map((r) => r['QUERY PLAN']);
    } finally {
      await client.end();
    }
  }

  it.each([
    ['the chart', trailTimeline({ actor: 'user7@bench.example' }, 'day', 'postgres')],
    ['a download', downloadStatement({ actor: 'user7@bench.example' }, 'postgres')],
  ])('reads %s of an actor filter from the actor index, never the whole trail', async (_what, statement) => {
    // An IN (subquery) under an OR is answered by a sequential scan however costly one is made.
    const plan = (await planLines(statement, false)).join('\n');
    expect(plan).toMatch(/Index Cond: \(actor_id = ANY/);
    expect(plan).not.toMatch(/Seq Scan on events\b/);
  });

  it('answers free text that names no space from the index of each term, never walking the trail', async () => {
    // An event id: the text matches no actor, environment or space, and nothing but the event itself.
    const lines = await planLines(trailPage({ q: 'us_evt_nowhere' }, undefined, 51, 'postgres'), true);
    const plan = lines.join('\n');
    expect(plan).toMatch(/Index Only Scan using events_actor_time on events/);
    // Walking the time index (the whole OR's page, or an actor's or environment's) or a sequential
    // scan reads every event of a trail where the text matches none: each is never run.
    // (Events named `e` are the page's rows read by id, after the picks.)
    const walks = lines.filter((line) => /(Seq Scan on|using events_time on) events e_\d+/.test(line));
    expect(walks.length).toBeGreaterThan(0);
    for (const line of walks) expect(line).toMatch(/never executed/);
  });
});
