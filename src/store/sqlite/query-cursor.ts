/**
 * One read-only statement on a read-only connection (AuditReader.openQuery). Beyond query_only,
 * a statement that could write (or ATTACH another file) is refused before it runs, by what SQLite
 * says of the prepared statement rather than by its text.
 */
import { AuditError } from '../../errors.js';
import type { QueryCursor, QueryRow } from '../audit-reader.js';
import type { SqliteDatabase } from './open.js';

export function openSqliteQuery(db: SqliteDatabase, sql: string, params: Readonly<Record<string, string>>): QueryCursor {
  if (/^\s*(attach|detach|vacuum)\b/i.test(sql)) throw new AuditError('QUERY_REFUSED', 'query refused: ATTACH, DETACH and VACUUM are not allowed; query runs read-only statements only');
  const statement = refusing(() => db.prepare(sql));
  if (!statement.readonly) throw new AuditError('QUERY_REFUSED', 'query refused: it would change the database; query runs read-only statements only');
  if (!statement.reader) throw new AuditError('QUERY_REFUSED', 'query refused: the statement returns no rows; use SELECT, WITH or EXPLAIN');
  const columns = statement.columns().map((c) => c.name);
  const rows = refusing(() => (Object.keys(params).length > 0 ? statement.iterate(params) : statement.iterate()) as IterableIterator<QueryRow>);
  let done = false;
  return {
    columns,
    async read(count) {
      const chunk: QueryRow[] = [];
      while (!done && chunk.length < count) {
        const next = refusing(() => rows.next());
        if (next.done) done = true;
        else chunk.push(next.value);
      }
      return chunk;
    },
    async close() {
      if (done) return;
      done = true;
      // Resets the statement: the connection is free again and the read snapshot let go.
      rows.return?.();
    },
  };
}

/** SQLite's errors while preparing or stepping (a syntax error, a bad cast, a missing parameter) become the query's own. */
function refusing<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw new AuditError('QUERY_REFUSED', `query failed: ${(error as Error).message}`, { cause: error });
  }
}
