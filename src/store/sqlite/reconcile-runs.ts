/** reconcile_runs on SQLite (rule 15 of audit-store.ts): a reconcile recorded with its late events; rows read back (status-reader.ts). */
import type { ReconcileDrift, ReconcileRecord } from '../audit-store.js';
import { reconcileDrift, type LateEventRow } from '../reconcile-drift.js';
import type { SqliteDatabase } from './open.js';

export interface DriftRow {
  id: number;
  environment_id: string;
  trigger: string;
  started_at: string;
  completed_at: string;
  since: string;
  until: string;
  pages: number;
  served: number;
  new_events: number;
  after_seq: number;
  late_before: string | null;
  high_water: string | null;
  lookback_ms: number;
  late_events: number;
  max_late_ms: number | null;
  median_late_ms: number | null;
  oldest_late_created_at: string | null;
  needed_lookback_ms: number | null;
}

export function createReconcileRuns(db: SqliteDatabase): { record(record: ReconcileRecord): ReconcileDrift } {
  // Through events_chain (environment_id, chain_seq): only what was linked since the listing began is read.
  const late = db.prepare<[string, number, string], LateEventRow>(
    `SELECT created_at AS createdAt, ingested_at AS ingestedAt FROM events WHERE environment_id = ? AND chain_seq > ? AND created_at < ?`,
  );
  const insert = db.prepare(
    `INSERT INTO reconcile_runs (environment_id, trigger, started_at, completed_at, since, until, pages, served, new_events, after_seq,
       late_before, high_water, lookback_ms, late_events, max_late_ms, median_late_ms, oldest_late_created_at, needed_lookback_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const record = db.transaction((r: ReconcileRecord): ReconcileDrift => {
    const rows = r.lateBefore === null ? [] : late.all(r.environmentId, r.afterSeq, r.lateBefore);
    const d = reconcileDrift(0, r, rows);
    const id = Number(
      insert.run(
        d.environmentId, d.trigger, d.startedAt, d.completedAt, d.since, d.until, d.pages, d.served, d.newEvents, d.afterSeq,
        d.lateBefore, d.highWater, d.lookbackMs, d.lateEvents, d.maxLateMs, d.medianLateMs, d.oldestLateCreatedAt, d.neededLookbackMs,
      ).lastInsertRowid,
    );
    return { ...d, id };
  });
  return { record: (r) => record.immediate(r) };
}

export function toDrift(row: DriftRow): ReconcileDrift {
  return {
    id: Number(row.id), environmentId: row.environment_id, trigger: row.trigger, startedAt: row.started_at, completedAt: row.completed_at,
    since: row.since, until: row.until, pages: Number(row.pages), served: Number(row.served), newEvents: Number(row.new_events),
    afterSeq: Number(row.after_seq), lateBefore: row.late_before, highWater: row.high_water, lookbackMs: Number(row.lookback_ms),
    lateEvents: Number(row.late_events), maxLateMs: numberOrNull(row.max_late_ms), medianLateMs: numberOrNull(row.median_late_ms),
    oldestLateCreatedAt: row.oldest_late_created_at, neededLookbackMs: numberOrNull(row.needed_lookback_ms),
  };
}

function numberOrNull(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

