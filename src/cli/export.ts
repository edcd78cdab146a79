/**
 * `flatfile-audit export`: every `audit_trail` row, as NDJSON or CSV, for a SIEM or a spreadsheet.
 *
 * Rows come in ingestion order, keyed by a position (store rule 9, read through AuditReader.openTrail:
 * on SQLite the events table's rowid, on PostgreSQL opaque text), so a row committed after an export
 * always comes after the position that export printed, whatever its createdAt and whatever order
 * writers committed in. `--after P` therefore continues exactly where the export that printed
 * `next: P` ended: no row twice, none skipped.
 *
 * The statement is streamed through the reader a chunk at a time and each chunk is written (waiting
 * for the output to drain) before the next is read, so memory stays flat however many rows there
 * are; the statement's one read snapshot makes the whole export as of one commit.
 */
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { ConfigError } from '../errors.js';
import type { AuditReader, QueryRow } from '../store/audit-reader.js';
import { openReader, type StoreSettings } from '../store/open-store.js';
import { isoInstant } from './iso-instant.js';
import { createPrivateFile } from './private-file.js';
import { csvField, terminalSafeJson } from '../output/safe-text.js';

export type ExportFormat = 'ndjson' | 'csv';

export interface ExportOptions {
  format: ExportFormat;
  /** Only rows created at or after this ISO instant. */
  since?: string | undefined;
  /** Only rows created before this ISO instant. */
  until?: string | undefined;
  environment?: string | undefined;
  /** Only rows stored after this position (what an earlier export printed as `next:`; '0': from the start). */
  after: string;
  /** A new file (0600) to write; stdout when absent. */
  out?: string | undefined;
}

// Small chunks: each one's text is garbage once written, and V8 collects large strings lazily, so
// bigger chunks let the heap swell further before a collection (peak RSS, not a leak).
const CHUNK_ROWS = 100;

/** Parses the --format, --since, --until and --after values once, at the edge. */
export function parseExportOptions(values: { format: string; since?: string | undefined; until?: string | undefined; environment?: string | undefined; after?: string | undefined; out?: string | undefined }): ExportOptions {
  if (values.format !== 'ndjson' && values.format !== 'csv') throw new ConfigError(`--format must be ndjson or csv, got "${values.format}"`);
  const after = values.after === undefined ? '0' : values.after.trim();
  // The store checks the form (each store prints its own); this only keeps anything odd out of the message.
  if (!/^[\d.]{1,41}$/.test(after)) throw new ConfigError(`--after takes the position an earlier export printed as "next: ...", got "${values.after}"`);
  return { format: values.format, since: isoInstant('--since', values.since), until: isoInstant('--until', values.until), environment: values.environment, after, out: values.out };
}

/** Streams the rows to stdout or --out, then prints `next: <position>` on stderr; returns the rows written. */
export async function runExport(settings: StoreSettings, options: ExportOptions, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number> {
  const reader = await openReader(settings);
  try {
    const file = options.out === undefined ? undefined : openOut(options.out);
    try {
      const { rows, last } = await streamRows(reader, options, file ?? stdout);
      if (file) {
        file.end();
        await once(file, 'close');
      }
      // Only once every row is written: a position printed before a failed write would skip rows.
      stderr.write(`exported ${rows} row(s)\nnext: ${last}\n`);
      return rows;
    } catch (error) {
      // A cut-off file would be shipped as if whole; the rows go out again with the next run (same --after).
      file?.destroy();
      if (options.out !== undefined) rmSync(options.out, { force: true });
      throw error;
    }
  } finally {
    await reader.close();
  }
}

function openOut(path: string): WriteStream {
  createPrivateFile(path, 'the export');
  // The file was just created empty and private; 'r+' writes into it without creating another.
  return createWriteStream(path, { flags: 'r+' });
}

async function streamRows(reader: AuditReader, options: ExportOptions, out: NodeJS.WritableStream): Promise<{ rows: number; last: string }> {
  const cursor = await reader.openTrail(options.after, { since: options.since, until: options.until, environment: options.environment });
  let rows = 0;
  let last = options.after;
  try {
    const columns = cursor.columns;
    if (options.format === 'csv') await write(out, `${columns.map(csvField).join(',')}\n`);
    for (;;) {
      const chunk = await cursor.read(CHUNK_ROWS);
      if (chunk.length === 0) break;
      await write(out, chunk.map((row) => line(options.format, columns, row)).join(''));
      rows += chunk.length;
      last = String(chunk[chunk.length - 1]!.position);
      if (chunk.length < CHUNK_ROWS) break;
    }
  } finally {
    await cursor.close();
  }
  return { rows, last };
}

function line(format: ExportFormat, columns: readonly string[], row: QueryRow): string {
  if (format === 'csv') return `${columns.map((c) => csvField(row[c])).join(',')}\n`;
  // JSON.stringify escapes every newline in a value, so one row stays one line.
  return `${terminalSafeJson(JSON.stringify(row))}\n`;
}

/** Writes and waits while the stream's buffer is full: the rows never pile up in memory. */
async function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (out.write(text)) return;
  await once(out, 'drain');
}
