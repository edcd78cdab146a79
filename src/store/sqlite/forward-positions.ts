/** Forwarders' positions on SQLite (store rule 10): read, moved on from a known position only, errors noted. */
import type { ForwardState } from '../audit-store.js';
import type { SqliteDatabase } from './open.js';

interface ForwardRow {
  destination: string;
  position: string;
  forwarded: number;
  updated_at: string;
  last_error: string | null;
  last_error_at: string | null;
}

export const SELECT_FORWARD_STATES = 'SELECT destination, position, forwarded, updated_at, last_error, last_error_at FROM forward_positions ORDER BY destination';

export function toForwardState(row: ForwardRow): ForwardState {
  return { destination: row.destination, position: row.position, forwarded: Number(row.forwarded), updatedAt: row.updated_at, lastError: row.last_error, lastErrorAt: row.last_error_at };
}

export function createForwardPositions(db: SqliteDatabase) {
  const select = db.prepare<[string], ForwardRow>('SELECT destination, position, forwarded, updated_at, last_error, last_error_at FROM forward_positions WHERE destination = ?');
  const insert = db.prepare("INSERT INTO forward_positions (destination, position, updated_at) VALUES (?, '0', ?) ON CONFLICT (destination) DO NOTHING");
  const advance = db.prepare('UPDATE forward_positions SET position = ?, forwarded = forwarded + ?, updated_at = ?, last_error = NULL, last_error_at = NULL WHERE destination = ? AND position = ?');
  const recordError = db.prepare('UPDATE forward_positions SET last_error = ?, last_error_at = ?, updated_at = ? WHERE destination = ?');
  return {
    read(destination: string, at: string): ForwardState {
      insert.run(destination, at);
      return toForwardState(select.get(destination)!);
    },
    advance(destination: string, from: string, to: string, count: number, at: string): boolean {
      insert.run(destination, at);
      return advance.run(to, count, at, destination, from).changes === 1;
    },
    recordError(destination: string, message: string, at: string): void {
      insert.run(destination, at);
      recordError.run(message, at, at, destination);
    },
  };
}
