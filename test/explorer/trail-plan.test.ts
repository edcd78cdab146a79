/**
 * The trail's pages and downloads on SQLite walk the (created_at, id) index in the page's order and
 * stop at its end: no sort of the matching rows, whichever single filter narrows them (the plans
 * are SQLite's own, read with EXPLAIN QUERY PLAN on a migrated file; timing is the bench's job).
 */
import { describe, expect, it } from 'vitest';
import { downloadStatement } from '../../src/explorer/download.js';
import type { TrailFilter } from '../../src/explorer/trail-filter.js';
import { trailPage, type Statement } from '../../src/explorer/trail-sql.js';
import { openWritable } from '../../src/store/sqlite/open.js';

const FILTERS: Array<[string, TrailFilter]> = [
  ['none', {}],
  ['domain', { domain: 'job' }],
  ['space', { space: 'us_sp_1' }],
  ['actor_type', { actorType: 'api_key' }],
  ['last week', { from: '2026-11-23T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' }],
];

describe('the trail order on SQLite', () => {
  const db = openWritable(':memory:');
  const plan = (statement: Statement): string => {
    // better-sqlite3 binds :name parameters from an object without the colon.
    const rows = db.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).all(statement.params) as Array<{ detail: string }>;
    return rows.map((r) => r.detail).join('\n');
  };

  it.each(FILTERS)('a page filtered by %s walks events_time_id without sorting', (_name, filter) => {
    const page = plan(trailPage(filter, undefined, 51));
    expect(page).toMatch(/SCAN e USING INDEX events_time_id|SEARCH e USING INDEX events_time_id/);
    expect(page).not.toMatch(/TEMP B-TREE FOR (RIGHT PART OF )?ORDER BY/);
  });

  it('a deep page (before=) searches the index from its position, without sorting', () => {
    const page = plan(trailPage({}, { createdAt: '2026-10-16T00:00:00.000Z', eventId: 'us_evt_x' }, 51));
    expect(page).toMatch(/SEARCH e USING INDEX events_time_id \(created_at<\?\)/);
    expect(page).not.toMatch(/TEMP B-TREE FOR (RIGHT PART OF )?ORDER BY/);
  });

  it('the download of the whole trail streams in the index order, without sorting', () => {
    const download = plan(downloadStatement({}));
    expect(download).toMatch(/SCAN e USING INDEX events_time_id/);
    expect(download).not.toMatch(/TEMP B-TREE FOR (RIGHT PART OF )?ORDER BY/);
  });
});
