/**
 * The trail in ingestion order on PostgreSQL (store rule 9). Many writers on many hosts commit side
 * by side, and a number taken at insert (an identity column or a sequence alone) is not commit
 * order: writer A takes 10, writer B takes 11 and commits, a reader hands out position 11, then A
 * commits 10 behind it, and a reader continuing after 11 never sees it.
 *
 * So each event also keeps the id of the transaction that stored it (ingest_xid: the top-level
 * transaction's xid8, 64 bits, never wrapping; the page writer's INSERT takes the column default
 * pg_current_xact_id()), and a position is the pair (ingest_xid, ingest_seq), read in that order
 * and only below a fence: the lowest transaction id that may still add events. Why no row is ever
 * skipped, with S the reading statement's snapshot (the cursor's REPEATABLE READ snapshot, which
 * pg_current_snapshot() returns, so what is read and the fence belong together):
 * - a transaction that gets its id after S has one at or above S's xmax: the fence is at most xmax;
 * - a transaction that had an id at S and had ended is committed in S (all its rows are read) or
 *   aborted (none will ever be);
 * - a transaction running at S (S's xip list) counts if it still runs and holds the store's
 *   advisory lock, or if it has ended since S (it may have been a writer; a later read sees its
 *   rows). Every writer of events takes that lock (shared) as its first statement, before its
 *   transaction has an id (page-writer.ts), so one running at S with an id and without the lock
 *   never writes events: it is left out, and a long transaction elsewhere on the server (a report,
 *   a bulk load in another database) holds nothing back.
 * The fence is the lowest of these; every row committed after the read has an ingest_xid at or
 * above it, so above every row the read returned: it sorts after the last position handed out.
 * Within one transaction the sequence orders its rows; across transactions the order is by xid,
 * whatever order they committed in.
 *
 * What it costs: a write under way holds later rows back until it commits (lag, not loss), and a
 * statement reads pg_locks once. A writer of events that skips the lock (a hand-made INSERT) could
 * be passed by a reader: the store is the only writer of events.
 * A logical restore (pg_dump into another cluster) keeps the stored transaction ids but not the
 * server's counter: the new server's ids may be lower, and rows stored after such a restore would
 * sort before old positions. So after such a restore, start exports and forwarders again from '0'
 * (receivers dedup by event id; README, "Forwarding to a SIEM"). As a safety net the reader refuses
 * to read while stored ids run ahead of the server's counter, saying so; once the counter has
 * passed them it cannot tell any more. pg_upgrade, physical backups and replicas keep the counter.
 */
import { ConfigError } from '../../errors.js';
import type { TrailFilter } from '../audit-reader.js';
import { lockKeys } from './locks.js';

export interface TrailStatement {
  sql: string;
  params: Record<string, string>;
}

/** (ingest_xid, ingest_seq) of a position 'xid.seq' ('0' is the start); refuses anything else. */
export function postgresPosition(position: string): { xid: string; seq: string } {
  if (position === '0') return { xid: '0', seq: '0' };
  const match = /^(\d{1,20})\.(\d{1,19})$/.exec(position);
  if (!match) throw new ConfigError(`"${position}" is not a position of this PostgreSQL store (like 7421.130, as an export printed it after "next:")`);
  return { xid: match[1]!, seq: match[2]! };
}

const AFTER = `(e.ingest_xid, e.ingest_seq) > (CAST(:after_xid AS xid8), CAST(:after_seq AS bigint))`;

/** The lowest transaction id that may still add events (see above); the store's lock as pg_locks shows a two-key advisory lock. */
const FENCE = `WITH fence AS MATERIALIZED (
  SELECT LEAST(pg_snapshot_xmax(s.snap), (
    SELECT min(x) FROM pg_snapshot_xip(s.snap) AS x
    WHERE pg_xact_status(x) IS DISTINCT FROM 'in progress'
       OR EXISTS (SELECT 1 FROM pg_locks t JOIN pg_locks a ON a.virtualtransaction = t.virtualtransaction
                  WHERE t.locktype = 'transactionid' AND t.transactionid = x::xid AND t.granted
                    AND a.locktype = 'advisory' AND a.granted AND a.objsubid = 2
                    AND a.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    AND a.classid = CAST(:lock_a AS oid) AND a.objid = CAST(:lock_b AS oid)))) AS below
  FROM (SELECT pg_current_snapshot() AS snap) s)`;

/** The audit_trail row of each event after `after` and below the fence, with its position first, in ingestion order. */
export function postgresTrail(schema: string, after: string, filter: TrailFilter = {}): TrailStatement {
  const { xid, seq } = postgresPosition(after);
  // pg_locks shows the keys as oids: unsigned.
  const [lockA, lockB] = lockKeys(schema, 'store').map((k) => String(k >>> 0));
  const params: Record<string, string> = { after_xid: xid, after_seq: seq, lock_a: lockA!, lock_b: lockB! };
  const where = [AFTER, 'e.ingest_xid < fence.below'];
  if (filter.since !== undefined) (params.since = filter.since), where.push('t.created_at >= CAST(:since AS timestamptz)');
  if (filter.until !== undefined) (params.until = filter.until), where.push('t.created_at < CAST(:until AS timestamptz)');
  if (filter.environment !== undefined) (params.environment = filter.environment), where.push('t.environment_id = :environment');
  return {
    sql: `${FENCE}
          SELECT e.ingest_xid::text || '.' || e.ingest_seq::text AS position, t.* FROM fence, events e JOIN audit_trail t ON t.event_id = e.id
          WHERE ${where.join(' AND ')} ORDER BY e.ingest_xid, e.ingest_seq`,
    params,
  };
}

/** Events after a position (settled or not: they are stored) and the oldest one's ingested_at. */
export const POSTGRES_BACKLOG = `SELECT COUNT(*)::bigint AS events, MIN(ingested_at) AS oldest FROM events e
  WHERE (e.ingest_xid, e.ingest_seq) > ($1::xid8, $2::bigint)`;

/** True when stored transaction ids run ahead of the server's counter: the events came from another cluster (a logical restore). */
export const RESTORED_ELSEWHERE = `SELECT COALESCE(max(ingest_xid) >= pg_snapshot_xmax(pg_current_snapshot()), false) AS ahead FROM events`;

export const RESTORED_MESSAGE =
  'the events carry transaction ids ahead of this PostgreSQL server (restored with pg_dump from another cluster?), so ingestion positions are not comparable: export and forward again from position 0 (receivers dedup by event id); see src/store/postgres/trail-query.ts';
