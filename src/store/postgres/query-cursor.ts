/**
 * One read-only statement on PostgreSQL (AuditReader.openQuery), streamed through a server-side
 * cursor: DECLARE … CURSOR inside a READ ONLY transaction, FETCH a chunk at a time. DECLARE takes
 * only a row-returning SELECT or VALUES without data-modifying WITH clauses, so an INSERT, UPDATE,
 * DELETE (RETURNING or not), DDL or a second statement is refused by the server's parser before
 * anything runs; the READ ONLY transaction refuses a write through a function; the connection's
 * statement_timeout bounds every FETCH; and the transaction is always rolled back, taking any
 * session setting the statement made with it.
 */
import type pg from 'pg';
import { AuditError } from '../../errors.js';
import type { QueryCursor, QueryRow } from '../audit-reader.js';
import { toPositional } from './named-parameters.js';

/** The one cursor name: a connection runs one query at a time. */
const CURSOR = 'flatfile_audit_query';

/**
 * Opens `sql` on `client`, which the cursor owns from now on: `release` is called once with it when
 * the cursor is done (with an error when the connection must not be reused).
 */
export async function openPostgresQuery(client: pg.PoolClient, release: (broken?: Error) => void, sql: string, params: Readonly<Record<string, string>>): Promise<QueryCursor> {
  let done = false;
  const finish = async () => {
    if (done) return;
    done = true;
    try {
      await client.query('ROLLBACK');
      release();
    } catch (error) {
      release(error instanceof Error ? error : new Error(String(error)));
    }
  };
  let columns: string[];
  try {
    const statement = toPositional(stripTrailingSemicolons(sql), params);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // Extended protocol even without parameters: it takes exactly one statement.
    await refusing(() => client.query({ text: `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${statement.text}`, values: statement.values, queryMode: 'extended' } as pg.QueryConfig));
    // FETCH 0 re-reads the (not yet existing) current row: no row, but the result's columns.
    columns = (await refusing(() => client.query(`FETCH FORWARD 0 FROM ${CURSOR}`))).fields.map((f) => f.name);
  } catch (error) {
    await finish();
    throw error instanceof AuditError ? error : new AuditError('QUERY_REFUSED', `query failed: ${(error as Error).message}`, { cause: error });
  }
  return {
    columns,
    async read(count) {
      if (done || count <= 0) return [];
      try {
        const { rows } = await refusing(() => client.query<QueryRow>(`FETCH FORWARD ${Math.floor(count)} FROM ${CURSOR}`));
        if (rows.length < count) await finish();
        return rows;
      } catch (error) {
        await finish();
        throw error;
      }
    },
    close: finish,
  };
}

/** read_only_sql_transaction. */
const WRITES = new Set(['25006']);

/** "SELECT 1;" is one statement; what follows a semicolon otherwise is a second one, which DECLARE refuses. */
function stripTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}

/** The server's errors (syntax, a statement DECLARE does not take, a write, a timeout) become the query's own. */
async function refusing<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const code = String((error as { code?: unknown }).code ?? '');
    const why = WRITES.has(code) ? 'query refused: it would change the database; query runs read-only statements only' : `query failed: ${(error as Error).message}${code === '42601' ? '; query runs one SELECT, WITH or VALUES statement that changes nothing' : ''}`;
    throw new AuditError('QUERY_REFUSED', `${why}${code ? ` (${code})` : ''}`, { cause: error });
  }
}
