/**
 * The inventory change log in SQLite (`inventory_changes`; formats and what the log proves: see
 * ../chain/inventory-digests.ts): appended to in the writing transaction, and the logged tables'
 * rows read back as the digests take them.
 */
import type Database from 'better-sqlite3';
import { digestTables, inventoryChangeHash, inventoryRowDigest, KINDS_WITH_EARLIER_RULE, LOGGED_COLUMNS, rowMatches, type LoggedKind, type LoggedRow, type TableDigest } from '../chain/inventory-digests.js';
import { inventoryVersion } from '../chain/inventory-version.js';
import type { SqliteDatabase } from './open.js';

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
  environments: { table: 'environments', idSql: 'id', scopeColumn: null, columns: LOGGED_COLUMNS.environments },
  users: { table: 'users', idSql: 'id', scopeColumn: null, columns: LOGGED_COLUMNS.users },
  spaces: { table: 'spaces', idSql: 'id', scopeColumn: 'environment_id', columns: LOGGED_COLUMNS.spaces },
  guests: { table: 'guests', idSql: 'id', scopeColumn: 'environment_id', columns: LOGGED_COLUMNS.guests },
  agents: { table: 'agents', idSql: 'id', scopeColumn: 'environment_id', columns: LOGGED_COLUMNS.agents },
  guest_spaces: { table: 'guest_spaces', idSql: "guest_id || ' ' || space_id", scopeColumn: 'environment_id', columns: LOGGED_COLUMNS.guest_spaces },
  personal_access_tokens: { table: 'personal_access_tokens', idSql: 'id', scopeColumn: null, columns: LOGGED_COLUMNS.personal_access_tokens },
};

type Value = string | number | null;

/**
 * The rows of one logged table as [id, ...columns]: all of them, or (`scoped`) those of one scope
 * plus those with the ids given as a JSON array, which a write may have moved out of it.
 */
export function selectLoggedRows(db: SqliteDatabase, kind: LoggedKind, scoped: boolean): Database.Statement {
  const spec = LOGGED_TABLES[kind];
  const where = scoped && spec.scopeColumn ? ` WHERE ${spec.scopeColumn} = ? OR (${spec.idSql}) IN (SELECT value FROM json_each(?))` : '';
  return db.prepare(`SELECT ${spec.idSql} AS id, ${spec.columns.join(', ')} FROM ${spec.table}${where}`).raw(true);
}

/** Every row of one logged table, as [id, ...columns]. */
export function loggedRows(db: SqliteDatabase, kind: LoggedKind): LoggedRow[] {
  return selectLoggedRows(db, kind, false).all() as LoggedRow[];
}

/** Every logged table's current rows, as digests: each as its latest entry has it (inventory-digests.ts, digestAsLogged). */
export function currentTables(db: SqliteDatabase): { tables: Record<LoggedKind, TableDigest>; rows: Array<[LoggedKind, string, Buffer]> } {
  const readLogged = db.prepare<[string], { id: string; row_digest: Buffer }>('SELECT id, row_digest FROM inventory_changes WHERE kind = ? ORDER BY seq');
  const logged = new Map<LoggedKind, Map<string, Buffer>>();
  for (const kind of KINDS_WITH_EARLIER_RULE) logged.set(kind, new Map(readLogged.all(kind).map((e) => [e.id, e.row_digest])));
  return digestTables((kind) => loggedRows(db, kind), (kind, id) => logged.get(kind)?.get(id));
}

export interface InventoryLog {
  /**
   * Appends an entry for each row of `kind` in `scope` (every row when null) or among `ids` whose
   * content differs from its latest entry, with the version it starts (chain/inventory-version.ts).
   * Call inside the writing transaction.
   */
  record(kind: LoggedKind, scope: string | null, ids: readonly string[], seenAt: string): number;
}

export function createInventoryLog(db: SqliteDatabase): InventoryLog {
  const readHead = db.prepare<[], { seq: number; chain_hash: Buffer }>('SELECT seq, chain_hash FROM inventory_changes ORDER BY seq DESC LIMIT 1');
  const readLatest = db.prepare<[string, string], Buffer>('SELECT row_digest FROM inventory_changes WHERE kind = ? AND id = ? ORDER BY seq DESC LIMIT 1').pluck();
  const append = db.prepare('INSERT INTO inventory_changes (seq, kind, id, row_digest, seen_at, chain_hash) VALUES (?, ?, ?, ?, ?, ?)');
  const readPreviousVersion = db.prepare<[string, string], { validFrom: string }>(
    'SELECT valid_from AS validFrom FROM inventory_versions WHERE kind = ? AND id = ? ORDER BY seq DESC LIMIT 1',
  );
  const appendVersion = db.prepare(
    'INSERT INTO inventory_versions (seq, kind, id, environment_id, valid_from, name, email, removed_at, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
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
      // A row still as its latest entry says (under the rule that entry was written by: store rule 17) is no change.
      const changed = [...rowsOf(kind, scope, ids)].flatMap((row) =>
        rowMatches(kind, row, readLatest.get(kind, row[0] as string)) ? [] : [[row[0] as string, inventoryRowDigest(kind, row), row] as const],
      );
      for (const [id, digest, row] of changed) {
        seq += 1;
        previous = inventoryChangeHash(previous, kind, id, digest, seenAt);
        append.run(seq, kind, id, digest, seenAt, previous);
        const version = inventoryVersion(kind, row, seenAt, readPreviousVersion.get(kind, id));
        appendVersion.run(seq, kind, id, version.environmentId, version.validFrom, version.name, version.email, version.removedAt, version.content);
      }
      return changed.length;
    },
  };
}
