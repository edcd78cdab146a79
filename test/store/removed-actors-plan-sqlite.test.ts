/**
 * The cookbook's "actions by removed actors" on SQLite picks the removed actors' newest events from
 * the actor index and joins the trail's columns to those alone: the view's joins ran for every event
 * of theirs before the sort (100 ms at 1M events when two busy users had left). The plan is SQLite's
 * own, on a migrated file; timing is the bench's job.
 */
import { describe, expect, it } from 'vitest';
import { cookbookQuery, cookbookSql } from '../../src/cookbook.js';
import { openWritable } from '../../src/store/sqlite/open.js';

describe('removed-actors on SQLite', () => {
  it('names the events it shows by id, picked from the actor index', () => {
    const db = openWritable(':memory:');
    const rows = db.prepare(`EXPLAIN QUERY PLAN ${cookbookSql(cookbookQuery('removed-actors'), 'sqlite')}`).all() as Array<{ parent: number; detail: string }>;
    // The trail's rows are found by id; the actor index is searched inside the pick.
    expect(rows.filter((r) => r.parent === 0)[0]?.detail).toMatch(/^SEARCH e USING INDEX sqlite_autoindex_events_1 \(id=\?\)/);
    expect(rows.map((r) => r.detail)).toContain('SEARCH events USING INDEX events_actor_time (actor_id=?)');
    db.close();
  });
});
