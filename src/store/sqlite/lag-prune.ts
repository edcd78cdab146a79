/**
 * Store rule 16's pruning on SQLite: visibility_lag rows of hours before a cut go, oldest first, a
 * bounded number per short IMMEDIATE transaction (as prune-writer.ts deletes events), so a sync
 * waits for the write lock at most one batch long.
 */
import type { SqliteDatabase } from './open.js';

export function createLagPrune(db: SqliteDatabase): (beforeHour: string, limit: number) => number {
  const remove = db.prepare<[string, number]>(
    `DELETE FROM visibility_lag WHERE (hour, environment_id, topic, bucket) IN
       (SELECT hour, environment_id, topic, bucket FROM visibility_lag WHERE hour < ? ORDER BY hour LIMIT ?)`,
  );
  const step = db.transaction((beforeHour: string, limit: number) => remove.run(beforeHour, limit).changes);
  return (beforeHour, limit) => step.immediate(beforeHour, limit);
}
