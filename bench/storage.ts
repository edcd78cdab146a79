/** What an event costs on disk: the whole file per event, and how much of it is the table, the indexes and the raw JSON. */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';

export interface StorageFigures {
  events: number;
  fileBytes: number;
  bytesPerEvent: number;
  /** The events table itself (columns plus the raw JSON), per event. */
  tableBytesPerEvent: number;
  /** The primary key and the four time indexes together, per event. */
  indexBytesPerEvent: number;
  /** Average length of the stored raw JSON: the event once, secrets removed. */
  rawJsonBytesPerEvent: number;
}

/** Reads a closed database (its WAL checkpointed away); dbstat walks every page, so keep it to moderate sizes. */
export function storageFigures(dbPath: string): StorageFigures {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const { events, rawBytes } = db.prepare('SELECT COUNT(*) AS events, COALESCE(SUM(length(raw)), 0) AS rawBytes FROM events').get() as { events: number; rawBytes: number };
    const parts = db.prepare(
      `SELECT d.name AS name, SUM(d.pgsize) AS bytes FROM dbstat d JOIN sqlite_schema s ON s.name = d.name WHERE s.tbl_name = 'events' GROUP BY d.name`,
    ).all() as Array<{ name: string; bytes: number }>;
    const table = parts.find((p) => p.name === 'events')?.bytes ?? 0;
    const indexes = parts.filter((p) => p.name !== 'events').reduce((sum, p) => sum + p.bytes, 0);
    const fileBytes = statSync(dbPath).size;
    const per = (bytes: number): number => (events > 0 ? Math.round(bytes / events) : 0);
    return { events, fileBytes, bytesPerEvent: per(fileBytes), tableBytesPerEvent: per(table), indexBytesPerEvent: per(indexes), rawJsonBytesPerEvent: per(rawBytes) };
  } finally {
    db.close();
  }
}
