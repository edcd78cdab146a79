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
  type PlanRow = { id: number; parent: number; detail: string };
  const planRows = (statement: Statement): PlanRow[] =>
    // better-sqlite3 binds :name parameters from an object without the colon.
    db.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).all(statement.params) as PlanRow[];
  const plan = (statement: Statement): string => planRows(statement).map((r) => r.detail).join('\n');
  /** The plan of the subquery that picks a page's ids (the outer query then names those rows, and sorts them alone). */
  const pickPlan = (statement: Statement): string => {
    const rows = planRows(statement);
    const pick = rows.find((r) => r.parent === 0 && r.detail.startsWith('LIST SUBQUERY'));
    if (pick === undefined) return '';
    const inside = new Set([pick.id]);
    for (const r of rows) if (inside.has(r.parent)) inside.add(r.id);
    return rows.filter((r) => inside.has(r.id)).map((r) => r.detail).join('\n');
  };

  it.each(FILTERS)('a page filtered by %s walks events_time_id without sorting', (_name, filter) => {
    const page = pickPlan(trailPage(filter, undefined, 51));
    expect(page).toMatch(/SCAN e USING INDEX events_time_id|SEARCH e USING INDEX events_time_id/);
    expect(page).not.toMatch(/TEMP B-TREE FOR (RIGHT PART OF )?ORDER BY/);
  });

  it('a page filtered by an actor type probes events_actor_time for the type\'s id prefix first', () => {
    const page = plan(trailPage({ actorType: 'api_key' }, undefined, 51));
    expect(page).toMatch(/SEARCH events USING COVERING INDEX events_actor_time \(actor_id>\? AND actor_id<\?\)/);
  });

  it('a page filtered by actor sorts the actor\'s event ids alone, naming only the page\'s rows', () => {
    const page = trailPage({ actor: 'us_usr_1' }, undefined, 51);
    const pick = pickPlan(page);
    expect(pick).toMatch(/SEARCH e USING INDEX events_actor_time \(actor_id=\?\)/);
    expect(pick).toMatch(/TEMP B-TREE FOR ORDER BY/);
    // The view's names and past names (its joins, its lookups in inventory_versions by time) are outside.
    expect(pick).not.toMatch(/inventory_versions_as_of|LEFT-JOIN/);
    expect(plan(page)).toMatch(/inventory_versions_as_of/);
  });

  it('free text has two picks, one from the indexes of its terms and one walking events_time_id, a LIMIT guard letting one run', () => {
    const page = plan(trailPage({ q: 'us_evt_1' }, undefined, 51));
    // The few matches: each term searched in its index (the event id, the topic, the actors and environments it names), then sorted.
    expect(page).toMatch(/MULTI-INDEX OR[\s\S]*SEARCH e USING INDEX sqlite_autoindex_events_1 \(id=\?\)[\s\S]*SEARCH e USING INDEX events_topic_time \(topic=\?\)[\s\S]*SEARCH e USING INDEX events_actor_time \(actor_id=\?\)[\s\S]*SEARCH e USING INDEX events_\w+ \(environment_id=\?\)/);
    // The many, or a space named (no index on space_id): the trail walked newest first.
    expect(page).toMatch(/SCAN e USING INDEX events_time_id/);
  });

  it('a deep page (before=) searches the index from its position, without sorting', () => {
    const page = pickPlan(trailPage({}, { createdAt: '2026-10-16T00:00:00.000Z', eventId: 'us_evt_x' }, 51));
    expect(page).toMatch(/SEARCH e USING INDEX events_time_id \(created_at<\?\)/);
    expect(page).not.toMatch(/TEMP B-TREE FOR (RIGHT PART OF )?ORDER BY/);
  });

  it('the download of the whole trail streams in the index order, without sorting', () => {
    const download = plan(downloadStatement({}));
    expect(download).toMatch(/SCAN e USING INDEX events_time_id/);
    expect(download).not.toMatch(/TEMP B-TREE FOR (RIGHT PART OF )?ORDER BY/);
  });
});
