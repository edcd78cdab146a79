/**
 * Tamper evidence (see event-chain.ts): a hash chain per environment over the events, in its first
 * form (chainHashV1; version 5 moved on to the current one). Rows stored before this version are
 * chained here, in the order they were stored.
 */
import { createHash } from 'node:crypto';
import type { SqliteDatabase } from '../open.js';

// A frozen copy of the hash this migration shipped with (event-chain.ts chainHashV1 at version 3),
// so that changing the live chain code can never change what this migration writes. The golden
// test (test/store/hash-golden.test.ts) pins both to the same bytes.
const CHAINED_COLUMNS = [
  'id', 'environment_id', 'created_at', 'topic', 'domain', 'actor_id', 'space_id', 'workbook_id',
  'sheet_id', 'job_id', 'acknowledged_at', 'deleted_at', 'ingested_at', 'raw',
] as const;

type ChainedRow = Record<(typeof CHAINED_COLUMNS)[number], string | null> & { environment_id: string };

/** SHA-256(previous hash ‖ JSON array of the row's columns in CHAINED_COLUMNS order). */
export function chainHashV1(previous: Buffer | null, row: ChainedRow): Buffer {
  const hash = createHash('sha256');
  if (previous) hash.update(previous);
  return hash.update(JSON.stringify(CHAINED_COLUMNS.map((column) => row[column]))).digest();
}

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
