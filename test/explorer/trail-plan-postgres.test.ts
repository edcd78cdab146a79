/**
 * A deep trail page (before=) on PostgreSQL searches the time index from its position: the keyset
 * gives the planner a bound on created_at it can use as an index condition, where an OR alone left
 * it walking every newer row. A page of an actor type no row has never reads the trail: one probe
 * of the actor index answers it (the plans are PostgreSQL's own; timing is the bench's job).
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { trailPage, type Statement } from '../../src/explorer/trail-sql.js';
import { openStore } from '../../src/store/open-store.js';
import { poolSettings } from '../../src/store/postgres/connection-settings.js';
import { freshSchema, pgSettings, testDatabase } from '../helpers/postgres.js';

const db = testDatabase();

function inline(statement: Statement): string {
  return statement.sql.replace(/:(\w+)/g, (_m, name: string) => `'${statement.params[name]!}'`);
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
});
