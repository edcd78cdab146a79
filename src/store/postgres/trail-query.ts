/**
 * The trail in ingestion order on PostgreSQL (store rule 9). Many writers on many hosts commit side
 * by side, and a number taken at insert (an identity column or a sequence alone) is not commit
 * order: writer A takes 10, writer B takes 11 and commits, a reader hands out position 11, then A
 * commits 10 behind it, and a reader continuing after 11 never sees it.
 *
 * So each event also keeps the id of the transaction that stored it (ingest_xid: the top-level
 * transaction's xid8, 64 bits, never wrapping; the page writer's INSERT takes the column default
 * pg_current_xact_id()), and a position is the pair (ingest_xid, ingest_seq), read in that order,
 * with one more condition: only rows whose ingest_xid is below the xmin of the reading statement's
 * snapshot are read. Why no row is ever skipped:
 * - every transaction id below a snapshot's xmin has ended (committed or aborted): the snapshot
 *   sees all committed rows with such an xid, and no more can ever appear;
 * - every transaction still running at that moment, or starting (or taking its xid) later, has an
 *   xid at or above xmin, so every row committed after the read has an ingest_xid >= xmin, which is
 *   above the xid of every row the read returned: it sorts after the last position handed out.
 * Within one transaction the sequence orders its rows; across transactions the order is by xid,
 * whatever order they committed in, and a later read still finds them after its position.
 * pg_current_snapshot() is the statement's own snapshot (the cursor's, in its REPEATABLE READ
 * transaction), so what the read sees and the xmin it filters with belong together.
 *
 * What it costs: a transaction running long anywhere on the server (xmin is cluster-wide; an idle
 * session left in a transaction, a long report) holds every later row back until it ends. That is
 * lag, not loss: the rows come out once it ends, and the forwarder's lag metrics show it.
 * A logical restore (pg_dump into another cluster) keeps the stored transaction ids but not the
 * server's counter: the new server's ids may be lower, and rows stored after such a restore would
 * sort before old positions. So after such a restore, start exports and forwarders again from '0'
 * (receivers dedup by event id; README, "Forwarding to a SIEM"). As a safety net the reader refuses
 * to read while stored ids run ahead of the server's counter, saying so; once the counter has
 * passed them it cannot tell any more. pg_upgrade, physical backups and replicas keep the counter.
 */
import { ConfigError } from '../../errors.js';
import type { TrailFilter } from '../audit-reader.js';

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
const SETTLED = `e.ingest_xid < pg_snapshot_xmin(pg_current_snapshot())`;

/** The audit_trail row of each event after `after` (and settled), with its position first, in ingestion order. */
export function postgresTrail(after: string, filter: TrailFilter = {}): TrailStatement {
  const { xid, seq } = postgresPosition(after);
  const params: Record<string, string> = { after_xid: xid, after_seq: seq };
  const where = [AFTER, SETTLED];
  if (filter.since !== undefined) (params.since = filter.since), where.push('t.created_at >= CAST(:since AS timestamptz)');
  if (filter.until !== undefined) (params.until = filter.until), where.push('t.created_at < CAST(:until AS timestamptz)');
  if (filter.environment !== undefined) (params.environment = filter.environment), where.push('t.environment_id = :environment');
  return {
    sql: `SELECT e.ingest_xid::text || '.' || e.ingest_seq::text AS position, t.* FROM events e JOIN audit_trail t ON t.event_id = e.id
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
