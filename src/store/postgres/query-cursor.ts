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
import type { QueryCursor, QueryOptions, QueryRow } from '../audit-reader.js';
import { toPositional } from './named-parameters.js';

/** The one cursor name: a connection runs one query at a time. */
const CURSOR = 'flatfile_audit_query';

/**
 * The share of a cursor's rows the planner optimises for (PostgreSQL's cursor_tuple_fraction,
 * default 0.1): a thousandth when the caller waits for the first rows, all of them otherwise.
 */
const FIRST_ROWS_FRACTION = 0.001;
const WHOLE_READ_FRACTION = 1;

/** Rows fetched when the cursor opens (so the statement has run), before anyone reads. */
const FIRST_ROWS = 100;

/**
 * Opens `sql` on `client`, which the cursor owns from now on: `release` is called once with it when
 * the cursor is done (with an error when the connection must not be reused).
 */
export async function openPostgresQuery(client: pg.PoolClient, release: (broken?: Error) => void, sql: string, params: Readonly<Record<string, string>>, options: QueryOptions = {}): Promise<QueryCursor> {
  let done = false;
  let columns: string[];
  let buffered: QueryRow[] = [];
  let exhausted = false;
  const finish = async () => {
    if (done) return;
    done = true;
    buffered = [];
    let broken: Error | undefined;
    try {
      await client.query('ROLLBACK');
      client.off('error', ignore);
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
    }
    release(broken);
  };
  // A connection the server ends meanwhile (idle_in_transaction_session_timeout while nobody
  // reads) reports here; the next FETCH fails with it.
  const ignore = () => undefined;
  client.on('error', ignore);
  try {
    const statement = toPositional(stripTrailingSemicolons(sql), params);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // Planned for how it is read (QueryOptions). For the first rows when someone waits for them (a
    // download, query's first screen): at the default (a tenth of the rows) PostgreSQL sorted the
    // whole trail (1M events, 8-16 s) before the first row of a download, where walking the time
    // index answers at once. For the whole result otherwise: planned for its first rows, a 50-row
    // explorer page walked all 1M events backwards to semi-join them with its 51 ids (4 s).
    // BENCHMARKS.md, 2026-11-30. Ends with the transaction.
    await client.query(`SET LOCAL cursor_tuple_fraction = ${options.firstRows === true ? FIRST_ROWS_FRACTION : WHOLE_READ_FRACTION}`);
    // Extended protocol even without parameters: it takes exactly one statement.
    await refusing(() => client.query({ text: `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${statement.text}`, values: statement.values, queryMode: 'extended' } as pg.QueryConfig));
    // DECLARE only plans: the statement runs at the first FETCH. Fetched here, so what fails as
    // soon as it runs (a write through a function, a timeout, a bad cast) is refused by openQuery.
    const first = await refusing(() => client.query<QueryRow>(`FETCH FORWARD ${FIRST_ROWS} FROM ${CURSOR}`));
    columns = first.fields.map((f) => f.name);
    buffered = first.rows;
    exhausted = first.rows.length < FIRST_ROWS;
  } catch (error) {
    await finish();
    throw error instanceof AuditError ? error : new AuditError('QUERY_REFUSED', `query failed: ${(error as Error).message}`, { cause: error });
  }
  return {
    columns,
    async read(count) {
      const wanted = Math.max(0, Math.floor(count));
      const chunk = buffered.splice(0, wanted);
      if (chunk.length === wanted || exhausted || done) {
        if (exhausted && buffered.length === 0) await finish();
        return chunk;
      }
      try {
        const { rows } = await refusing(() => client.query<QueryRow>(`FETCH FORWARD ${wanted - chunk.length} FROM ${CURSOR}`));
        if (rows.length < wanted - chunk.length) {
          exhausted = true;
          await finish();
        }
        return chunk.concat(rows);
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
