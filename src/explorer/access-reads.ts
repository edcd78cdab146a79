/**
 * `/access` and a guest's access history, read from the store's `guest_access` view (store rule 14):
 * each stretch of time a guest could reach a space, from when it was granted (NULL: since before
 * anything recorded) until it was revoked (NULL: it still can), by whom, with the guest's, space's
 * and environment's names. The `at` condition is the cookbook's `space-access` one, so the page and
 * `query --saved space-access` cannot disagree.
 */
import type { QueryRow } from '../store/audit-reader.js';
import type { AccessFilter } from './access-filter.js';
import type { ReaderGate } from './reader-gate.js';
import { containing, type Statement } from './trail-sql.js';

/** At most this many rows a page: a longer answer asks for a narrower filter. */
export const ACCESS_ROWS = 500;

export interface AccessRow {
  environment_id: string;
  environment_name: string | null;
  guest_id: string;
  guest_name: string | null;
  guest_email: string | null;
  guest_removed_at: string | null;
  space_id: string;
  space_name: string | null;
  space_removed_at: string | null;
  granted_at: string | null;
  granted_by: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface AccessRows {
  rows: AccessRow[];
  /** More rows match than are shown. */
  truncated: boolean;
}

/** The WHERE conditions of a filter over `guest_access a` (joined with AND) and their parameters. */
export function accessConditions(filter: AccessFilter): Statement {
  const where: string[] = [];
  const params: Record<string, string> = {};
  if (filter.environment !== undefined) {
    where.push('a.environment_id = :environment');
    params.environment = filter.environment;
  }
  if (filter.space !== undefined) {
    where.push('a.space_id = :space');
    params.space = filter.space;
  }
  if (filter.guest !== undefined) {
    where.push(`(a.guest_id = :guest OR a.guest_id IN (SELECT id FROM guests WHERE lower(email) = lower(:guest) OR lower(name) LIKE :guest_part ESCAPE '\\'))`);
    params.guest = filter.guest;
    params.guest_part = containing(filter.guest);
  }
  if (filter.guestId !== undefined) {
    where.push('a.guest_id = :guest_id');
    params.guest_id = filter.guestId;
  }
  if (filter.at !== undefined) {
    where.push('(a.granted_at IS NULL OR a.granted_at <= :at) AND (a.revoked_at IS NULL OR a.revoked_at > :at)');
    params.at = filter.at;
  }
  if (filter.current === true) where.push('a.revoked_at IS NULL');
  return { sql: where.length === 0 ? 'TRUE' : where.join(' AND '), params };
}

/** The filtered access rows, grouped by environment, space and guest (ids, which sort alike in every store), oldest grant first. */
export function accessStatement(filter: AccessFilter, limit: number): Statement {
  const { sql: where, params } = accessConditions(filter);
  return {
    sql: `SELECT a.environment_id, env.name AS environment_name, a.guest_id, g.name AS guest_name, g.email AS guest_email, g.removed_at AS guest_removed_at,
  a.space_id, s.name AS space_name, s.removed_at AS space_removed_at, a.granted_at, a.granted_by, a.revoked_at, a.revoked_by
FROM guest_access a
LEFT JOIN guests g ON g.id = a.guest_id
LEFT JOIN spaces s ON s.id = a.space_id
LEFT JOIN environments env ON env.id = a.environment_id
WHERE ${where}
ORDER BY a.environment_id, a.space_id, a.guest_id, CASE WHEN a.granted_at IS NULL THEN 0 ELSE 1 END, a.granted_at
LIMIT ${Math.trunc(limit)}`,
    params,
  };
}

export async function readAccess(gate: ReaderGate, filter: AccessFilter, max = ACCESS_ROWS): Promise<AccessRows> {
  const rows = (await gate.rows(accessStatement(filter, max + 1), max + 1)) as unknown as AccessRow[];
  return { rows: rows.slice(0, max), truncated: rows.length > max };
}

/** The names of the actors who granted or revoked access, by id (users and agents; others show their id). */
export async function readChangerNames(gate: ReaderGate, rows: readonly AccessRow[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.flatMap((r) => [r.granted_by, r.revoked_by]).filter((id): id is string => id !== null))].slice(0, 200);
  const names = new Map<string, string>();
  if (ids.length === 0) return names;
  const params = Object.fromEntries(ids.map((id, i) => [`id${i}`, id]));
  const list = ids.map((_id, i) => `:id${i}`).join(', ');
  const found: QueryRow[] = await gate.rows({
    sql: `SELECT id, COALESCE(name, email) AS name FROM users WHERE id IN (${list}) UNION ALL SELECT id, slug FROM agents WHERE id IN (${list})`,
    params,
  }, 400);
  for (const row of found) if (row.name !== null && row.name !== undefined) names.set(String(row.id), String(row.name));
  return names;
}
