/**
 * Tamper evidence (see event-chain.ts): a hash chain per environment over the events, in its first
 * form (chainHashV1; version 5 moved on to the current one). Rows stored before this version are
 * chained here, in the order they were stored.
 */
import type { SqliteDatabase } from '../open.js';
import { chainHashV1, type ChainedRow } from '../event-chain.js';

export const sql = `
ALTER TABLE events ADD COLUMN chain_seq INTEGER;
ALTER TABLE events ADD COLUMN chain_hash BLOB;
CREATE TABLE event_chains (
  environment_id TEXT PRIMARY KEY,
  last_seq       INTEGER NOT NULL,
  last_hash      BLOB NOT NULL,
  updated_at     TEXT NOT NULL
);
`;

/** Chains the rows already stored, oldest first, one environment after another. */
export function run(db: SqliteDatabase): void {
  const heads = new Map<string, { seq: number; hash: Buffer }>();
  const update = db.prepare('UPDATE events SET chain_seq = ?, chain_hash = ? WHERE rowid = ?');
  const rows = db.prepare('SELECT rowid AS row_id, * FROM events ORDER BY rowid').iterate() as IterableIterator<ChainedRow & { row_id: number }>;
  const pending: Array<[number, Buffer, number]> = [];
  for (const row of rows) {
    const head = heads.get(row.environment_id);
    const seq = (head?.seq ?? 0) + 1;
    const hash = chainHashV1(head?.hash ?? null, row);
    heads.set(row.environment_id, { seq, hash });
    pending.push([seq, hash, row.row_id]);
  }
  for (const args of pending) update.run(...args);
  const now = new Date().toISOString();
  const saveHead = db.prepare('INSERT INTO event_chains (environment_id, last_seq, last_hash, updated_at) VALUES (?, ?, ?, ?)');
  for (const [environmentId, head] of heads) saveHead.run(environmentId, head.seq, head.hash, now);
}
