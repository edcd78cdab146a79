/**
 * The bench's "no sequential scan of events" verdict reads real PostgreSQL plans: a plan that
 * reads the whole table is caught, directly or beneath joins, and one that searches an index is not.
 */
import { describe, expect, it } from 'vitest';
import { seqScansEvents } from '../../bench/postgres-queries.js';
import { freshSchema, pgQuery, testDatabase } from '../helpers/postgres.js';

const db = testDatabase();

describe('seqScansEvents', () => {
  it('finds a Seq Scan of events anywhere in EXPLAIN (FORMAT JSON), and only of events', async () => {
    const schema = freshSchema();
    await pgQuery(db, 'public', `CREATE SCHEMA ${schema}`);
    await pgQuery(db, schema, 'CREATE TABLE events (id text PRIMARY KEY, environment_id text)');
    await pgQuery(db, schema, 'CREATE TABLE environments (id text PRIMARY KEY, name text)');
    const explain = async (sql: string): Promise<unknown> => (await pgQuery<{ 'QUERY PLAN': unknown }>(db, schema, `EXPLAIN (FORMAT JSON) ${sql}`))[0]?.['QUERY PLAN'];
    expect(seqScansEvents(await explain('SELECT count(*) FROM events'))).toBe(true);
    expect(seqScansEvents(await explain('SELECT env.name, count(e.id) FROM environments env LEFT JOIN events e ON e.environment_id = env.id GROUP BY env.name'))).toBe(true);
    expect(seqScansEvents(await explain('SELECT * FROM environments'))).toBe(false);
  });

  it('does not count an index search of events', () => {
    const plan = [{ Plan: { 'Node Type': 'Limit', Plans: [{ 'Node Type': 'Index Scan', 'Relation Name': 'events', 'Index Name': 'events_pkey' }] } }];
    expect(seqScansEvents(plan)).toBe(false);
    const scanned = [{ Plan: { 'Node Type': 'Limit', Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 'events' }] } }];
    expect(seqScansEvents(scanned)).toBe(true);
  });
});
