/** reconcile_runs on PostgreSQL (rule 15 of audit-store.ts): a reconcile recorded with its late events, and each environment's latest. */
import type pg from 'pg';
import type { ReconcileDrift, ReconcileRecord } from '../audit-store.js';
import { reconcileDrift, type LateEventRow } from '../reconcile-drift.js';
import { storableText } from './storable-text.js';
import { isoMillis, isoMillisOrNull } from './timestamps.js';

// Through events_chain (environment_id, chain_seq): only what was linked since the listing began is read.
const LATE = `SELECT created_at AS "createdAt", ingested_at AS "ingestedAt" FROM events WHERE environment_id = $1 AND chain_seq > $2 AND created_at < $3`;

const INSERT = `
INSERT INTO reconcile_runs (environment_id, trigger, started_at, completed_at, since, until, pages, served, new_events, after_seq,
  late_before, high_water, lookback_ms, late_events, max_late_ms, median_late_ms, oldest_late_created_at, needed_lookback_ms)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
RETURNING id`;

const LATEST = `
SELECT id, environment_id AS "environmentId", trigger, started_at AS "startedAt", completed_at AS "completedAt", since, until, pages, served,
       new_events AS "newEvents", after_seq AS "afterSeq", late_before AS "lateBefore", high_water AS "highWater", lookback_ms AS "lookbackMs",
       late_events AS "lateEvents", max_late_ms AS "maxLateMs", median_late_ms AS "medianLateMs", oldest_late_created_at AS "oldestLateCreatedAt",
       needed_lookback_ms AS "neededLookbackMs"
FROM reconcile_runs WHERE id IN (SELECT MAX(id) FROM reconcile_runs GROUP BY environment_id) ORDER BY environment_id`;

/** In the caller's transaction: the late events are read and the row written in one. */
export async function recordReconcile(client: pg.PoolClient, record: ReconcileRecord): Promise<ReconcileDrift> {
  const r: ReconcileRecord = { ...record, environmentId: storableText(record.environmentId), trigger: storableText(record.trigger) };
  const late = r.lateBefore === null ? [] : (await client.query<LateEventRow>(LATE, [r.environmentId, r.afterSeq, isoMillis(r.lateBefore)])).rows;
  const d = reconcileDrift(0, r, late);
  const { rows } = await client.query<{ id: number }>(INSERT, [
    d.environmentId, d.trigger, isoMillis(d.startedAt), isoMillis(d.completedAt), isoMillis(d.since), isoMillis(d.until), d.pages, d.served, d.newEvents, d.afterSeq,
    isoMillisOrNull(d.lateBefore), isoMillisOrNull(d.highWater), d.lookbackMs, d.lateEvents, d.maxLateMs, d.medianLateMs, isoMillisOrNull(d.oldestLateCreatedAt), d.neededLookbackMs,
  ]);
  return { ...d, id: Number(rows[0]!.id) };
}

/** Each environment's latest reconcile, for status. */
export async function latestReconciles(client: pg.PoolClient): Promise<ReconcileDrift[]> {
  return (await client.query<ReconcileDrift>(LATEST)).rows;
}
