/**
 * Rule 9 of the store contract on PostgreSQL: an operator moves an environment's listing back, in
 * one transaction. It first locks sync_runs against new rows (SHARE ROW EXCLUSIVE conflicts with the
 * INSERT of startRun, on whatever host): a run that starts meanwhile waits, then reads the new
 * listing; a run that started before is seen by the check after the lock.
 */
import type pg from 'pg';
import { CursorResetRefusedError, UnknownEnvironmentError } from '../../errors.js';
import type { CursorReset, CursorResetResult } from '../audit-store.js';
import { describeLiveRuns, type LiveRun } from '../live-runs.js';
import { readCursor } from './status-reader.js';
import { storableText } from './storable-text.js';
import { isoMillis } from './timestamps.js';

export async function resetCursor(client: pg.PoolClient, r: CursorReset): Promise<CursorResetResult> {
  await client.query('LOCK TABLE sync_runs IN SHARE ROW EXCLUSIVE MODE');
  const environmentId = storableText(r.environmentId);
  const before = await readCursor(client, environmentId);
  if (!before) throw new UnknownEnvironmentError(r.environmentId, 'it has no cursor in the audit database: never synced');
  // Alive: started after the stale bound, or its environment's cursor written after it (pages still landing).
  const { rows: live } = await client.query<{ id: string; scope: string; startedAt: Date }>(
    `SELECT r.id, r.scope, r.started_at AS "startedAt" FROM sync_runs r
     WHERE r.status = 'running' AND r.scope IN ($1, 'account')
       AND (r.started_at >= $2 OR (SELECT updated_at FROM sync_cursors WHERE environment_id = $1) >= $2)
     ORDER BY r.id`,
    [environmentId, r.staleBefore],
  );
  if (live.length > 0) {
    const runs: LiveRun[] = live.map((row) => ({ id: Number(row.id), scope: row.scope, startedAt: String(row.startedAt) }));
    throw new CursorResetRefusedError(describeLiveRuns(r.environmentId, runs, r.staleBefore));
  }
  const { since, pageSize, nextPage, maxCreatedAt, pageFill, startedAt } = r.listing;
  await client.query(
    `UPDATE sync_cursors SET listing_since = $1, listing_page_size = $2, listing_next_page = $3, listing_max_created_at = $4,
       listing_page_fill = $5, listing_started_at = $6, updated_at = $7 WHERE environment_id = $8`,
    [since === null ? null : isoMillis(since), pageSize, nextPage, maxCreatedAt === null ? null : isoMillis(maxCreatedAt), pageFill, isoMillis(startedAt), r.at, environmentId],
  );
  const after = (await readCursor(client, environmentId))!;
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO operator_actions (at, action, environment_id, operator, host, detail) VALUES ($1, 'cursor-reset', $2, $3, $4, $5::jsonb) RETURNING id`,
    [r.at, environmentId, storableText(r.operator.user), storableText(r.operator.host), JSON.stringify({ requestedSince: r.requestedSince, before, after })],
  );
  return { actionId: Number(rows[0]!.id), before, after };
}
