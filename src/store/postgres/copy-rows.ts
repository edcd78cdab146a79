/**
 * Rows into a table by COPY … FROM STDIN (text format) on a connection inside its transaction:
 * PostgreSQL's bulk path, which skips the per-statement executor work and the array parsing of a
 * multi-row INSERT; it loads a batch of events in about half the server time of INSERT … SELECT
 * FROM unnest(…) (measured in bench/, see BENCHMARKS.md). COPY has no ON CONFLICT: a row that breaks
 * a unique index fails the whole COPY, and so the transaction; the caller decides what that means.
 */
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** A value as one field of COPY's text format: `\N` for NULL; backslash, tab, newline and carriage return escaped. */
export function copyField(value: string | number | null): string {
  if (value === null) return '\\N';
  const text = String(value);
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : text;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Rows per chunk written to the connection: big enough to send few messages, small enough not to hold a batch twice as one string. */
const ROWS_PER_CHUNK = 200;

/** COPYs `rows` (each in `columns` order) into `table`; returns the rows the server loaded. */
export async function copyRows(client: pg.PoolClient, table: string, columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): Promise<number> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(function* () {
    for (let i = 0; i < rows.length; i += ROWS_PER_CHUNK) {
      let chunk = '';
      for (const row of rows.slice(i, i + ROWS_PER_CHUNK)) chunk += `${row.map(copyField).join('\t')}\n`;
      yield Buffer.from(chunk, 'utf8');
    }
  }, stream);
  return stream.rowCount;
}
