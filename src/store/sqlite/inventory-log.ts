/**
 * Tamper evidence for the inventories, the names and memberships the audit trail shows. Every
 * change a sync makes to an inventory row is appended, in the same transaction, to
 * `inventory_changes`: the row's kind and id, the digest of its content, when it was seen, and a
 * hash chaining the entry to the one before (one chain for all kinds, `seq` 1, 2, 3…). A row's
 * current content must then match the digest of its latest entry: a row edited, deleted or added
 * outside a sync does not. The log is append-only and keyed by (kind, id), so a fuller history of
 * each row can be kept beside it later.
 *
 * Formats (pinned by test/store/hash-golden.test.ts; migration 0007 has a frozen copy):
 * - row digest = SHA-256(JSON array [kind, id, ...content columns in the order below])
 * - entry digest = SHA-256(JSON array [kind, id, row digest as hex, seen_at])
 * - chain hash = SHA-256(previous entry's chain hash ‖ entry digest); the first entry: SHA-256(entry digest)
 * `synced_at` (when a row was last seen) is left out: it changes on every sync, and no one reads it as evidence.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { InventoryKind } from '../audit-store.js';
import { linkHash } from './event-chain.js';
import type { SqliteDatabase } from './open.js';

export type LoggedKind = InventoryKind | 'guest_spaces';

export interface LoggedTable {
  table: string;
  /** SQL for the row's id: guest_spaces has a two-column key. */
  idSql: string;
  /** Column holding the scope (environment id), or null for account-wide tables. */
  scopeColumn: string | null;
  /** The content columns, in digest order. */
  columns: readonly string[];
}

export const LOGGED_TABLES: { readonly [K in LoggedKind]: LoggedTable } = {
  environments: { table: 'environments', idSql: 'id', scopeColumn: null, columns: ['account_id', 'name', 'is_prod', 'raw', 'first_synced_at', 'removed_at'] },
  users: { table: 'users', idSql: 'id', scopeColumn: null, columns: ['email', 'name', 'created_at', 'last_active_at', 'raw', 'first_synced_at', 'removed_at'] },
  spaces: {
    table: 'spaces', idSql: 'id', scopeColumn: 'environment_id',
    columns: ['environment_id', 'name', 'created_at', 'archived_at', 'created_by_user_id', 'raw', 'first_synced_at', 'removed_at'],
  },
  guests: { table: 'guests', idSql: 'id', scopeColumn: 'environment_id', columns: ['environment_id', 'email', 'name', 'raw', 'first_synced_at', 'removed_at'] },
  agents: { table: 'agents', idSql: 'id', scopeColumn: 'environment_id', columns: ['environment_id', 'slug', 'topics', 'created_at', 'raw', 'first_synced_at', 'removed_at'] },
  guest_spaces: {
    table: 'guest_spaces', idSql: "guest_id || ' ' || space_id", scopeColumn: 'environment_id',
    columns: ['environment_id', 'last_accessed', 'first_synced_at', 'removed_at'],
  },
};

export const LOGGED_KINDS = Object.keys(LOGGED_TABLES) as LoggedKind[];

type Value = string | number | null;

const sha256 = (data: string | Buffer): Buffer => createHash('sha256').update(data).digest();

/** The digest of a row's content; `row` is [id, ...columns] as SQLite returns them. */
export function inventoryRowDigest(kind: LoggedKind, row: readonly Value[]): Buffer {
  return sha256(JSON.stringify([kind, ...row]));
}

/** The chain hash of a log entry following `previous` (null for the first entry). */
export function inventoryChangeHash(previous: Buffer | null, kind: LoggedKind, id: string, rowDigest: Buffer, seenAt: string): Buffer {
  return linkHash(previous, sha256(JSON.stringify([kind, id, rowDigest.toString('hex'), seenAt])));
}

/** One digest for a set of rows, whatever order they are read in: SHA-256 of the row digests sorted by id (bytewise). */
export function inventoryTableDigest(rows: Iterable<readonly [id: string, digest: Buffer]>): Buffer {
  const sorted = [...rows].map(([id, digest]) => [Buffer.from(id, 'utf8'), digest] as const).sort((a, b) => Buffer.compare(a[0], b[0]));
  const hash = createHash('sha256');
  for (const [, digest] of sorted) hash.update(digest);
  return hash.digest();
}

/**
 * The rows of one logged table as [id, ...columns]: all of them, or (`scoped`) those of one scope
 * plus those with the ids given as a JSON array, which a write may have moved out of it.
 */
export function selectLoggedRows(db: SqliteDatabase, kind: LoggedKind, scoped: boolean): Database.Statement {
  const spec = LOGGED_TABLES[kind];
  const where = scoped && spec.scopeColumn ? ` WHERE ${spec.scopeColumn} = ? OR (${spec.idSql}) IN (SELECT value FROM json_each(?))` : '';
  return db.prepare(`SELECT ${spec.idSql} AS id, ${spec.columns.join(', ')} FROM ${spec.table}${where}`).raw(true);
}

export interface TableDigest {
  rows: number;
  digest: string;
}

/** Every logged table's current rows, as digests. */
export function currentTables(db: SqliteDatabase): { tables: Record<LoggedKind, TableDigest>; rows: Array<[LoggedKind, string, Buffer]> } {
  const rows: Array<[LoggedKind, string, Buffer]> = [];
  const tables = {} as Record<LoggedKind, TableDigest>;
  for (const kind of LOGGED_KINDS) {
    const digests = (selectLoggedRows(db, kind, false).all() as Array<Array<string | number | null>>).map((row) => [row[0] as string, inventoryRowDigest(kind, row)] as const);
    tables[kind] = { rows: digests.length, digest: inventoryTableDigest(digests).toString('hex') };
    for (const [id, digest] of digests) rows.push([kind, id, digest]);
  }
  return { tables, rows };
}

export interface InventoryLog {
  /**
   * Appends an entry for each row of `kind` in `scope` (every row when null) or among `ids` whose
   * content differs from its latest entry. Call inside the writing transaction.
   */
  record(kind: LoggedKind, scope: string | null, ids: readonly string[], seenAt: string): number;
}

export function createInventoryLog(db: SqliteDatabase): InventoryLog {
  const readHead = db.prepare<[], { seq: number; chain_hash: Buffer }>('SELECT seq, chain_hash FROM inventory_changes ORDER BY seq DESC LIMIT 1');
  const readLatest = db.prepare<[string, string], Buffer>('SELECT row_digest FROM inventory_changes WHERE kind = ? AND id = ? ORDER BY seq DESC LIMIT 1').pluck();
  const append = db.prepare('INSERT INTO inventory_changes (seq, kind, id, row_digest, seen_at, chain_hash) VALUES (?, ?, ?, ?, ?, ?)');
  const selects = new Map<string, Database.Statement>();
  const rowsOf = (kind: LoggedKind, scope: string | null, ids: readonly string[]): IterableIterator<Value[]> => {
    const scoped = scope !== null && LOGGED_TABLES[kind].scopeColumn !== null;
    const key = `${kind}:${scoped}`;
    let statement = selects.get(key);
    if (!statement) selects.set(key, (statement = selectLoggedRows(db, kind, scoped)));
    return (scoped ? statement.iterate(scope, JSON.stringify(ids)) : statement.iterate()) as IterableIterator<Value[]>;
  };
  return {
    record(kind, scope, ids, seenAt) {
      const head = readHead.get();
      let seq = head?.seq ?? 0;
      let previous = head?.chain_hash ?? null;
      // Read back from the table rather than taken from the listing: the digest is of what is stored.
      const changed = [...rowsOf(kind, scope, ids)].flatMap((row) => {
        const digest = inventoryRowDigest(kind, row);
        const latest = readLatest.get(kind, row[0] as string);
        return latest && latest.equals(digest) ? [] : [[row[0] as string, digest] as const];
      });
      for (const [id, digest] of changed) {
        seq += 1;
        previous = inventoryChangeHash(previous, kind, id, digest, seenAt);
        append.run(seq, kind, id, digest, seenAt, previous);
      }
      return changed.length;
    },
  };
}
