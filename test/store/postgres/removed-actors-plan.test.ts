/**
 * The cookbook's "actions by removed actors" on PostgreSQL reads the removed actors' events, not the
 * trail: given `actor_id IN (…)` alone the planner walked the time index from the newest event
 * looking for one of theirs, through every event when they had few or none (1.4 s at 1M events).
 * The rows read are PostgreSQL's own count (EXPLAIN ANALYZE); timing is the bench's job.
 */
import { describe, expect, it } from 'vitest';
import { cookbookQuery, cookbookSql } from '../../../src/cookbook.js';
import { openPgStore, pgQuery, testDatabase } from '../../helpers/postgres.js';

const db = testDatabase();
const ACTIVE_EVENTS = 20_000;

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** Rows the plan's scans of `events` returned, over all their loops. */
function eventRowsRead(node: PlanNode): number {
  const own = node['Relation Name'] === 'events' ? (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1) : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + eventRowsRead(child), 0);
}

describe('removed-actors on PostgreSQL', () => {
  it('reads the removed actor\'s events through the actor index, not every newer event of the trail', async () => {
    const { store, schema } = openPgStore(db);
    await store.ready();
    // One busy active user with many recent events; one removed user with three old ones. Rows as
    // wide as real payloads, so that the table is as many pages as a real trail of its size.
    await pgQuery(db, schema, `
      INSERT INTO users (id, email, name, raw, raw_text, first_synced_at, synced_at, removed_at) VALUES
        ('us_usr_busy', 'busy@example.com', 'Busy', '{}', '{}', now(), now(), NULL),
        ('us_usr_gone', 'gone@example.com', 'Gone', '{}', '{}', now(), now(), now());
      INSERT INTO events (id, environment_id, created_at, topic, domain, actor_id, ingested_at, raw, chain_seq, chain_hash, raw_text)
      SELECT 'us_evt_' || g, 'us_env_a', timestamptz '2026-11-01' + g * interval '1 second', 'file:created', 'file',
             CASE WHEN g <= 3 THEN 'us_usr_gone' ELSE 'us_usr_busy' END, now(), '{}', g, '\\x00', repeat(md5(g::text), 40)
      FROM generate_series(1, ${ACTIVE_EVENTS + 3}) AS g;
      ANALYZE events; ANALYZE users; ANALYZE guests; ANALYZE agents;`);
    const sql = cookbookSql(cookbookQuery('removed-actors'), 'postgres');

    const answer = await pgQuery<{ actor_name: string }>(db, schema, sql);
    expect(answer.map((r) => r.actor_name)).toEqual(['Gone', 'Gone', 'Gone']);

    const [explained] = await pgQuery<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(db, schema, `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`);
    const read = eventRowsRead(explained!['QUERY PLAN'][0]!.Plan);
    // Its three events from the actor index, and the same three again by id for the trail's columns.
    expect(read).toBeGreaterThanOrEqual(3);
    expect(read).toBeLessThanOrEqual(10);
  });
});
