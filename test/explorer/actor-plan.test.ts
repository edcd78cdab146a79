/**
 * The actor page's reads (its first and last times, its count, its environments and spaces) read
 * events_actor_time alone on SQLite and PostgreSQL, never the events table's rows, and name the
 * environments and spaces once per group, not once per event (the plans are the databases' own,
 * read on migrated, empty schemas; timing is the bench's job).
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { actorEnvironments, actorSeen, actorSpaces } from '../../src/explorer/explorer-reads.js';
import type { Statement } from '../../src/explorer/trail-sql.js';
import { openStore } from '../../src/store/open-store.js';
import { poolSettings } from '../../src/store/postgres/connection-settings.js';
import { openWritable } from '../../src/store/sqlite/open.js';
import { freshSchema, pgSettings, testDatabase } from '../helpers/postgres.js';

const READS: Array<[string, Statement]> = [
  ['first and last times and count', actorSeen('us_usr_1')],
  ['environments', actorEnvironments('us_usr_1')],
  ['spaces', actorSpaces('us_usr_1')],
];

describe('the actor page on SQLite', () => {
  const db = openWritable(':memory:');
  type PlanRow = { id: number; parent: number; detail: string };
  const planRows = (statement: Statement): PlanRow[] =>
    db.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).all(statement.params) as PlanRow[];

  it.each(READS)('reads the %s from the covering index alone', (_name, statement) => {
    const details = planRows(statement).map((r) => r.detail);
    const eventReads = details.filter((d) => /\bevents\b|\be\b/.test(d) && /^(SEARCH|SCAN)/.test(d));
    expect(eventReads).toEqual(['SEARCH events USING COVERING INDEX events_actor_time (actor_id=?)']);
  });

  it.each(READS.slice(1))('names the %s after counting them, not per event', (_name, statement) => {
    const rows = planRows(statement);
    const group = rows.find((r) => r.detail.startsWith('CO-ROUTINE'));
    expect(group).toBeDefined();
    // The name lookup sits outside the grouping subquery: once per group it yields.
    const lookup = rows.find((r) => /^SEARCH (env|s) USING/.test(r.detail));
    expect(lookup).toBeDefined();
    expect(lookup!.parent).not.toBe(group!.id);
  });
});

const pgDb = testDatabase();

function inline(statement: Statement): string {
  return statement.sql.replace(/:(\w+)/g, (_m, name: string) => `'${statement.params[name]!}'`);
}

describe('the actor page on PostgreSQL', () => {
  it('reads every count with an index-only scan of events_actor_time', async () => {
    const schema = freshSchema();
    const store = await openStore({ dbPath: '/nonexistent/unused.db', postgres: pgSettings(pgDb, schema) });
    await store.close();
    const client = new pg.Client(poolSettings(pgSettings(pgDb, schema), {}));
    await client.connect();
    try {
      // Empty tables, where a sequential or bitmap read would be as cheap as any: the question is
      // whether the index alone can answer, which it can only when it carries the columns read.
      await client.query('SET enable_seqscan = off');
      await client.query('SET enable_bitmapscan = off');
      for (const [, statement] of READS) {
        const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${inline(statement)}`)).rows.map((r) => r['QUERY PLAN']);
        const eventReads = plan.filter((line) => /on events\b/.test(line));
        expect(eventReads.map((line) => line.trim().replace(/^->\s*/, ''))).toEqual(['Index Only Scan using events_actor_time on events']);
      }
    } finally {
      await client.end();
    }
  });
});
