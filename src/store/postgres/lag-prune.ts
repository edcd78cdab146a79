/**
 * Store rule 16's pruning on PostgreSQL: visibility_lag rows of hours before a cut go, oldest
 * first, a bounded number per short transaction. Syncs only add to the current hours, which a cut
 * never reaches (visibility-lag.ts, lagPruneBefore), so the two never wait for each other's rows.
 */
import type pg from 'pg';

/** One batch, in the caller's transaction; how many rows went. */
export async function pruneLagRows(client: pg.PoolClient, beforeHour: string, limit: number): Promise<number> {
  const { rowCount } = await client.query(
    `DELETE FROM visibility_lag WHERE (hour, environment_id, topic, bucket) IN
       (SELECT hour, environment_id, topic, bucket FROM visibility_lag WHERE hour < $1::timestamptz ORDER BY hour LIMIT $2)`,
    [beforeHour, limit],
  );
  return rowCount ?? 0;
}
