/** Forwarders' positions on PostgreSQL (store rule 10): read, moved on from a known position only, errors noted. */
import type pg from 'pg';
import type { ForwardState } from '../audit-store.js';

interface ForwardRow {
  destination: string;
  position: string;
  forwarded: string | number;
  updated_at: string;
  last_error: string | null;
  last_error_at: string | null;
}

export const SELECT_FORWARD_STATES = 'SELECT destination, position, forwarded, updated_at, last_error, last_error_at FROM forward_positions ORDER BY destination';

export function toForwardState(row: ForwardRow): ForwardState {
  return { destination: row.destination, position: row.position, forwarded: Number(row.forwarded), updatedAt: row.updated_at, lastError: row.last_error, lastErrorAt: row.last_error_at };
}

const ENSURE = `INSERT INTO forward_positions (destination, position, updated_at) VALUES ($1, '0', $2) ON CONFLICT (destination) DO NOTHING`;

export async function readForward(db: pg.Pool, destination: string, at: string): Promise<ForwardState> {
  await db.query(ENSURE, [destination, at]);
  const { rows } = await db.query<ForwardRow>('SELECT destination, position, forwarded, updated_at, last_error, last_error_at FROM forward_positions WHERE destination = $1', [destination]);
  return toForwardState(rows[0]!);
}

/** One statement: the row is locked while it is compared, so two forwarders never both move it from one position. */
export async function advanceForward(db: pg.Pool, destination: string, from: string, to: string, count: number, at: string): Promise<boolean> {
  await db.query(ENSURE, [destination, at]);
  const result = await db.query(
    'UPDATE forward_positions SET position = $3, forwarded = forwarded + $4, updated_at = $5, last_error = NULL, last_error_at = NULL WHERE destination = $1 AND position = $2',
    [destination, from, to, count, at],
  );
  return result.rowCount === 1;
}

export async function recordForwardError(db: pg.Pool, destination: string, message: string, at: string): Promise<void> {
  await db.query(ENSURE, [destination, at]);
  await db.query('UPDATE forward_positions SET last_error = $2, last_error_at = $3, updated_at = $3 WHERE destination = $1', [destination, message, at]);
}
