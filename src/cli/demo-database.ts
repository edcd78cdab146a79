/**
 * The demo starts from a fresh database at --db, so it deletes what is there; it must never delete
 * a real audit trail (or any other file) that someone pointed it at by mistake. A database the demo
 * makes carries DEMO_APPLICATION_ID in its header (`PRAGMA application_id`, a field SQLite sets
 * aside for the application; the migrations use `user_version`, not this), and only such a file
 * is deleted.
 */
import { existsSync, rmSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { openReadOnly, openWritable } from '../store/sqlite/open.js';

/** "FFDM": flatfile-audit demo. */
export const DEMO_APPLICATION_ID = 0x4646444d;

const SIDE_FILES = ['-wal', '-shm'];

/** Deletes the demo database at `path` (and its -wal and -shm), or refuses if the file is anything else. */
export function clearDemoDatabase(path: string): void {
  if (!existsSync(path)) {
    const stray = SIDE_FILES.map((suffix) => `${path}${suffix}`).find((side) => existsSync(side));
    // SQLite would replay a stray WAL into the new file: not ours to delete, not safe to keep.
    if (stray) throw new ConfigError(`demo refuses to start: ${stray} exists without ${path}; remove it yourself or give --db another path`);
    return;
  }
  if (!isDemoDatabase(path)) {
    throw new ConfigError(`demo refuses to delete ${path}: it is not a demo database (demo only replaces files it made); give --db a new path`);
  }
  for (const suffix of ['', ...SIDE_FILES]) rmSync(`${path}${suffix}`, { force: true });
}

/** Creates the database at `path` (which must not exist) marked as the demo's. */
export function createDemoDatabase(path: string): void {
  const db = openWritable(path);
  try {
    db.pragma(`application_id = ${DEMO_APPLICATION_ID}`);
  } finally {
    db.close();
  }
}

function isDemoDatabase(path: string): boolean {
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
