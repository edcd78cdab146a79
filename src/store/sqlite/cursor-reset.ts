/**
 * Rule 9 of the store contract on SQLite: an operator moves an environment's listing back, in one
 * IMMEDIATE transaction. IMMEDIATE holds the write lock from the checks to the commit: a run that
 * starts meanwhile (its 'running' row is a write) waits, then reads the new listing.
 */
import { CursorResetRefusedError, UnknownEnvironmentError } from '../../errors.js';
import type { CursorReset, CursorResetResult, EnvironmentCursor } from '../audit-store.js';
import type { SqliteDatabase } from './open.js';
import { describeLiveRuns, type LiveRun } from '../live-runs.js';

export function createCursorReset(db: SqliteDatabase, readCursor: (environmentId: string) => EnvironmentCursor | undefined): (reset: CursorReset) => CursorResetResult {
  // Alive: started after the stale bound, or its environment's cursor written after it (pages still landing).
  const liveRuns = db.prepare<[{ env: string; stale: string }], LiveRun>(
    `SELECT r.id, r.scope, r.started_at AS startedAt FROM sync_runs r
     WHERE r.status = 'running' AND r.scope IN (@env, 'account')
       AND (r.started_at >= @stale OR COALESCE((SELECT updated_at FROM sync_cursors WHERE environment_id = @env), '') >= @stale)
     ORDER BY r.id`,
  );
  const moveListing = db.prepare(
    `UPDATE sync_cursors SET listing_since = ?, listing_page_size = ?, listing_next_page = ?, listing_max_created_at = ?,
       listing_page_fill = ?, listing_started_at = ?, updated_at = ? WHERE environment_id = ?`,
  );
  const record = db.prepare(
    `INSERT INTO operator_actions (at, action, environment_id, operator, host, detail) VALUES (?, 'cursor-reset', ?, ?, ?, ?)`,
  );
  const reset = db.transaction((r: CursorReset): CursorResetResult => {
    const before = readCursor(r.environmentId);
    if (!before) throw new UnknownEnvironmentError(r.environmentId, 'it has no cursor in the audit database: never synced');
    const live = liveRuns.all({ env: r.environmentId, stale: r.staleBefore });
    if (live.length > 0) throw new CursorResetRefusedError(describeLiveRuns(r.environmentId, live, r.staleBefore));
    const { since, pageSize, nextPage, maxCreatedAt, pageFill, startedAt } = r.listing;
    moveListing.run(since, pageSize, nextPage, maxCreatedAt, pageFill, startedAt, r.at, r.environmentId);
    const after = readCursor(r.environmentId)!;
    const detail = JSON.stringify({ requestedSince: r.requestedSince, before, after });
    const actionId = Number(record.run(r.at, r.environmentId, r.operator.user, r.operator.host, detail).lastInsertRowid);
    return { actionId, before, after };
  });
  return (r) => reset.immediate(r);
}
