/**
 * Tamper evidence for the inventories (see inventory-log.ts): an append-only, hash-chained log of
 * each change a sync makes to an inventory row. Rows stored before this version get one entry
 * each here, seen at their `synced_at`, kind after kind in id order.
 */
import { createHash } from 'node:crypto';
import type { SqliteDatabase } from '../open.js';

export const sql = `
CREATE TABLE inventory_changes (
  seq        INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL,
  id         TEXT NOT NULL,
  row_digest BLOB NOT NULL,
  seen_at    TEXT NOT NULL,
  chain_hash BLOB NOT NULL
);
CREATE INDEX inventory_changes_row ON inventory_changes(kind, id, seq);
`;

// A frozen copy of the formats this migration shipped with (inventory-log.ts at version 7), so that
// changing the live code can never change what this migration writes. The golden test
// (test/store/hash-golden.test.ts) pins both to the same bytes.
const TABLES: ReadonlyArray<{ kind: string; table: string; idSql: string; columns: string[] }> = [
  { kind: 'environments', table: 'environments', idSql: 'id', columns: ['account_id', 'name', 'is_prod', 'raw', 'first_synced_at', 'removed_at'] },
  { kind: 'users', table: 'users', idSql: 'id', columns: ['email', 'name', 'created_at', 'last_active_at', 'raw', 'first_synced_at', 'removed_at'] },
  { kind: 'spaces', table: 'spaces', idSql: 'id', columns: ['environment_id', 'name', 'created_at', 'archived_at', 'created_by_user_id', 'raw', 'first_synced_at', 'removed_at'] },
  { kind: 'guests', table: 'guests', idSql: 'id', columns: ['environment_id', 'email', 'name', 'raw', 'first_synced_at', 'removed_at'] },
  { kind: 'agents', table: 'agents', idSql: 'id', columns: ['environment_id', 'slug', 'topics', 'created_at', 'raw', 'first_synced_at', 'removed_at'] },
  { kind: 'guest_spaces', table: 'guest_spaces', idSql: "guest_id || ' ' || space_id", columns: ['environment_id', 'last_accessed', 'first_synced_at', 'removed_at'] },
];

const sha256 = (data: string | Buffer): Buffer => createHash('sha256').update(data).digest();

/** SHA-256(JSON [kind, id, ...columns]). */
export function rowDigestV7(kind: string, row: ReadonlyArray<string | number | null>): Buffer {
  return sha256(JSON.stringify([kind, ...row]));
}

/** SHA-256(previous ‖ SHA-256(JSON [kind, id, row digest hex, seen_at])); without a previous hash, SHA-256(entry digest). */
export function changeHashV7(previous: Buffer | null, kind: string, id: string, rowDigest: Buffer, seenAt: string): Buffer {
  const entry = sha256(JSON.stringify([kind, id, rowDigest.toString('hex'), seenAt]));
  return sha256(previous ? Buffer.concat([previous, entry]) : entry);
}

/** Logs every inventory row already stored. */
export function run(db: SqliteDatabase): void {
  const append = db.prepare('INSERT INTO inventory_changes (seq, kind, id, row_digest, seen_at, chain_hash) VALUES (?, ?, ?, ?, ?, ?)');
  let seq = 0;
  let previous: Buffer | null = null;
  for (const { kind, table, idSql, columns } of TABLES) {
    const rows = db.prepare(`SELECT ${idSql} AS id, ${columns.join(', ')}, synced_at FROM ${table} ORDER BY id`).raw(true).all() as Array<Array<string | number | null>>;
    for (const row of rows) {
      const seenAt = row.pop() as string;
      const id = row[0] as string;
      const digest = rowDigestV7(kind, row);
      seq += 1;
      previous = changeHashV7(previous, kind, id, digest, seenAt);
      append.run(seq, kind, id, digest, seenAt, previous);
    }
  }
}
