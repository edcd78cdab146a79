/**
 * `flatfile-audit query "<SQL>"`: answers one read-only statement. The database is opened
 * read-only with query_only on, and a statement that could write (or ATTACH another file) is
 * refused before it runs, so this command cannot change the audit trail.
 */
import { openReadOnly } from '../store/sqlite/open.js';
import { AuditError } from '../errors.js';
import { formatRows, type OutputFormat, type Row } from './format.js';

/** Runs one read-only statement with optional named parameters (`:email` ← { email: … }). */
export function runQuery(dbPath: string, sql: string, format: OutputFormat, params: Record<string, string> = {}): string {
  const db = openReadOnly(dbPath);
  try {
    if (/^\s*(attach|detach|vacuum)\b/i.test(sql)) throw new AuditError('QUERY_REFUSED', 'query refused: ATTACH, DETACH and VACUUM are not allowed; query runs read-only statements only');
    let statement;
    try {
      statement = db.prepare(sql);
    } catch (error) {
      throw new AuditError('QUERY_REFUSED', `query failed: ${(error as Error).message}`, { cause: error });
    }
    if (!statement.readonly) throw new AuditError('QUERY_REFUSED', 'query refused: it would change the database; query runs read-only statements only');
    if (!statement.reader) throw new AuditError('QUERY_REFUSED', 'query refused: the statement returns no rows; use SELECT, WITH or EXPLAIN');
    let rows: Row[];
    try {
      rows = (Object.keys(params).length > 0 ? statement.all(params) : statement.all()) as Row[];
    } catch (error) {
      throw new AuditError('QUERY_REFUSED', `query failed: ${(error as Error).message}`, { cause: error });
    }
    return formatRows(rows, format, statement.columns().map((c) => c.name));
  } finally {
    db.close();
  }
}
