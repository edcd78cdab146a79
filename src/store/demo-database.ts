/**
 * The demo's own database: always a SQLite file (the demo replaces it on each run, see
 * src/cli/demo-database.ts). A database the demo makes carries DEMO_APPLICATION_ID in its header
 * (`PRAGMA application_id`, a field SQLite sets aside for the application; the migrations use
 * `user_version`, not this), and only such a file is ever deleted by the demo.
 */
import { openReadOnly, openWritable } from './sqlite/open.js';

/** "FFDM": flatfile-audit demo. */
export const DEMO_APPLICATION_ID = 0x4646444d;

/** Creates the database at `path` (which must not exist) marked as the demo's. */
export function createDemoDatabase(path: string): void {
  const db = openWritable(path);
  try {
    db.pragma(`application_id = ${DEMO_APPLICATION_ID}`);
  } finally {
    db.close();
  }
}

/** Whether the file at `path` is a database the demo made. */
export function isDemoDatabase(path: string): boolean {
  try {
    const db = openReadOnly(path);
    try {
      return db.pragma('application_id', { simple: true }) === DEMO_APPLICATION_ID;
    } finally {
      db.close();
    }
  } catch {
    // Not a database at all (a text file, a directory), or one we cannot read: not the demo's.
    return false;
  }
}
