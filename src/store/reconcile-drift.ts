/**
 * The figures of a reconcile's late events (rule 15 of audit-store.ts), from the rows each store
 * found in the same transaction as it records them: one computation for both stores.
 */
import type { ReconcileDrift, ReconcileRecord } from './audit-store.js';

/** A late event as stored: when it was created upstream, and when this store first stored it. */
export interface LateEventRow {
  createdAt: string;
  ingestedAt: string;
}

export function reconcileDrift(id: number, record: ReconcileRecord, late: readonly LateEventRow[]): ReconcileDrift {
  if (late.length === 0) return { ...record, id, lateEvents: 0, maxLateMs: null, medianLateMs: null, oldestLateCreatedAt: null, neededLookbackMs: null };
  const lateness = late.map((e) => Math.max(0, Date.parse(e.ingestedAt) - Date.parse(e.createdAt))).sort((a, b) => a - b);
  const middle = lateness.length >> 1;
  const median = lateness.length % 2 === 1 ? lateness[middle]! : Math.round((lateness[middle - 1]! + lateness[middle]!) / 2);
  const oldest = late.reduce((a, e) => (e.createdAt < a ? e.createdAt : a), late[0]!.createdAt);
  return {
    ...record,
    id,
    lateEvents: late.length,
    maxLateMs: lateness[lateness.length - 1]!,
    medianLateMs: median,
    oldestLateCreatedAt: oldest,
    // The incremental listing starts at highWater − lookback: it reads an event created at `oldest` once that is no later.
    neededLookbackMs: record.highWater === null ? null : Math.max(record.lookbackMs, Date.parse(record.highWater) - Date.parse(oldest)),
  };
}
