/**
 * The disk bound: a plain better-sqlite3 loop inserting given rows into the project's schema
 * (its migrations and connection settings, via openWritable) in fixed-size transactions, with
 * nothing else around it: no validation, no cursor, no batching logic. The rows are copied whole
 * from a synced database, every column of `events` as stored (integrity columns included, if the
 * schema has any), so the loop writes exactly what the sync wrote.
 */
import Database from 'better-sqlite3';
import { openWritable } from '../src/store/sqlite/open.js';

export interface EventRows {
  columns: string[];
  rows: unknown[][];
}

/** The rows of a synced database in the order they were inserted. */
export function readEventRows(dbPath: string): EventRows {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const columns = (db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').pluck().all('events') as string[]).map(quote);
    const rows = db.prepare(`SELECT ${columns.join(', ')} FROM events ORDER BY rowid`).raw().all() as unknown[][];
    return { columns, rows };
  } finally {
    db.close();
  }
}

/** Seconds the loop takes to insert the rows into a fresh database at `dbPath`. */
export function rawWrite(dbPath: string, { columns, rows }: EventRows, rowsPerTransaction = 1000): number {
  const db = openWritable(dbPath);
  try {
    const insert = db.prepare(`INSERT INTO events (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    const insertMany = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) insert.run(rows[i] as unknown[]);
    });
    const started = performance.now();
    for (let i = 0; i < rows.length; i += rowsPerTransaction) insertMany(i, Math.min(rows.length, i + rowsPerTransaction));
    return (performance.now() - started) / 1000;
  } finally {
    db.close();
  }
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
