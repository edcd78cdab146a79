/**
 * The filtered trail as a file: every audit_trail column, newest first, streamed a chunk at a time
 * on a reader of its own (a long download never holds up the pages), waiting for the client to take
 * each chunk. CSV is byte for byte what `flatfile-audit query --csv` prints for the same statement;
 * NDJSON is one JSON object per row, as `flatfile-audit export` writes them. Bounded in time
 * (sendDownload) and in number (download-slots.ts): a stalled client must not hold a snapshot open.
 */
import { once } from 'node:events';
import { setImmediate as turn } from 'node:timers/promises';
import type { ServerResponse } from 'node:http';
import { rowStream } from '../output/row-stream.js';
import { terminalSafeJson } from '../output/safe-text.js';
import type { AuditReader, SqlDialect } from '../store/audit-reader.js';
import type { TrailFilter } from './trail-filter.js';
import { trailConditions, type Statement } from './trail-sql.js';

export type DownloadFormat = 'csv' | 'ndjson';

const CHUNK_ROWS = 500;

/** Every column of the filtered trail, in the order the trail page lists it. */
export function downloadStatement(filter: TrailFilter, dialect: SqlDialect = 'sqlite'): Statement {
  const { sql: where, params } = trailConditions(filter, dialect);
  return { sql: `SELECT * FROM audit_trail WHERE ${where} ORDER BY created_at DESC, event_id DESC`, params };
}

/** How a download ended: every row sent, the client gone, or cut at its time limit. */
export type DownloadOutcome = 'complete' | 'gone' | 'cut';

/**
 * Streams the download into `res`, for at most `timeoutMs`. Cut at the limit, the connection is
 * destroyed mid-body (no last chunk), so the client sees a failed download, never a short file
 * that looks complete; the cursor is closed either way.
 */
export async function sendDownload(reader: AuditReader, filter: TrailFilter, format: DownloadFormat, res: ServerResponse, timeoutMs: number): Promise<DownloadOutcome> {
  const statement = downloadStatement(filter, reader.dialect);
  let gone = false;
  let cut = false;
  res.on('close', () => (gone = true));
  const timer = setTimeout(() => {
    cut = true;
    res.destroy();
  }, timeoutMs);
  const cursor = await reader.openQuery(statement.sql, statement.params, { firstRows: true }).catch((error: unknown) => {
    clearTimeout(timer);
    throw error;
  });
  try {
    res.writeHead(200, {
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'Content-Disposition': `attachment; filename="audit-trail.${format}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    const csv = rowStream('csv', cursor.columns, 0);
    if (format === 'csv') await write(res, csv.start());
    while (!gone) {
      const rows = await cursor.read(CHUNK_ROWS);
      if (gone) break;
      if (rows.length > 0) await write(res, format === 'csv' ? csv.rows(rows) : rows.map((row) => `${terminalSafeJson(JSON.stringify(row))}\n`).join(''));
      if (rows.length < CHUNK_ROWS) break;
      // The event loop's turn between chunks: a SQLite cursor reads synchronously and a write that
      // fits the socket's buffer never waits, so without it a download ran chunk after chunk (the
      // first ones unsent, the socket flushed only by I/O) and held up every other request.
      await turn();
    }
    if (cut) return 'cut';
    if (gone) return 'gone';
    res.end();
    return 'complete';
  } finally {
    clearTimeout(timer);
    await cursor.close();
  }
}

async function write(res: ServerResponse, text: string): Promise<void> {
  if (text === '' || res.write(text)) return;
  // The listener of the event that did not come is removed, or every wait of a long download leaves one behind.
  const done = new AbortController();
  try {
    await Promise.race([once(res, 'drain', { signal: done.signal }), once(res, 'close', { signal: done.signal })]);
  } finally {
    done.abort();
  }
}
