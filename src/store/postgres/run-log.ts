/** The sync_runs table: a run opened when it starts and closed with its summary. */
import type pg from 'pg';
import { INTERRUPTED_RUN_ERROR, type RunStart, type RunSummary } from '../audit-store.js';
import { storableJsonChecked, storableText, storableTextOrNull } from './storable-text.js';

/** Opens a run; a run of the same scope still marked 'running' belongs to a process that died, and is closed as failed. */
export async function startRun(client: pg.PoolClient, run: RunStart): Promise<number> {
  // Only one sync of a scope runs at a time (the CLI, or the worker's deduplicated jobs), on whatever host.
  await client.query(
    `UPDATE sync_runs SET status = 'failed', finished_at = $1, error = $3
     WHERE scope = $2 AND status = 'running'`,
    [run.startedAt, storableText(run.scope), INTERRUPTED_RUN_ERROR],
  );
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO sync_runs (trigger, started_at, scope, job_id, status) VALUES ($1, $2, $3, $4, 'running') RETURNING id`,
    [storableText(run.trigger), run.startedAt, storableText(run.scope), storableTextOrNull(run.jobId ?? null)],
  );
  return rows[0]!.id;
}

export async function finishRun(db: pg.Pool, runId: number, s: RunSummary): Promise<void> {
  const json = JSON.stringify(s.details) as string | undefined;
  const details = json === undefined ? null : storableJsonChecked(json);
  await db.query(
    `UPDATE sync_runs SET status = $1, finished_at = $2, new_events = $3, rejected = $4, pages = $5, requests = $6,
       environments_ok = $7, environments_failed = $8, error = $9, details = $10::jsonb WHERE id = $11`,
    [s.status, s.finishedAt, s.newEvents, s.rejected, s.pages, s.requests, s.environmentsOk, s.environmentsFailed, storableTextOrNull(s.error), details, runId],
  );
}
