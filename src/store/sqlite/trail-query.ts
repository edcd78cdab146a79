/**
 * The trail in ingestion order on SQLite (store rule 9). A position is the events table's rowid.
 * Events are only ever inserted (never deleted or replaced: the writer's ON CONFLICT DO NOTHING),
 * by one writer at a time (SQLite's write lock), and SQLite gives a new row max(rowid)+1: a row
 * committed after a read therefore always gets a position above every position that read saw,
 * whatever its createdAt, and no two writers ever commit out of order. (A VACUUM may renumber the
 * rowids of a table without an INTEGER PRIMARY KEY, which events is; the store never runs one, and
 * `backup` copies pages, keeping them.)
 */
import { ConfigError } from '../../errors.js';
import type { TrailFilter } from '../audit-reader.js';

export interface TrailStatement {
  sql: string;
  params: Record<string, string>;
}

/** The rowid a position names; refuses anything else (a PostgreSQL position included). */
export function sqlitePosition(position: string): number {
  if (!/^\d{1,15}$/.test(position)) throw new ConfigError(`"${position}" is not a position of this SQLite store (an integer, as an export printed it after "next:")`);
  return Number(position);
}

/** The audit_trail row of each event after `after`, with its position first, in ingestion order. */
export function sqliteTrail(after: string, filter: TrailFilter = {}): TrailStatement {
  const params: Record<string, string> = { after: String(sqlitePosition(after)) };
  const where = ['e.rowid > CAST(:after AS INTEGER)'];
  if (filter.since !== undefined) (params.since = filter.since), where.push('t.created_at >= :since');
  if (filter.until !== undefined) (params.until = filter.until), where.push('t.created_at < :until');
  if (filter.environment !== undefined) (params.environment = filter.environment), where.push('t.environment_id = :environment');
  return { sql: `SELECT e.rowid AS position, t.* FROM events e JOIN audit_trail t ON t.event_id = e.id WHERE ${where.join(' AND ')} ORDER BY e.rowid`, params };
}

/** How many events are stored after a position, and the oldest one's ingested_at. */
export const SQLITE_BACKLOG = 'SELECT COUNT(*) AS events, MIN(ingested_at) AS oldest FROM events WHERE rowid > ?';
