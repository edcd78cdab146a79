/**
 * Opens the audit database: its directory and file made private before SQLite touches them (their
 * -wal and -shm files take the file's mode; see database-files.ts, and its rule: nothing here opens
 * a descriptor on the database outside SQLite), WAL so readers never block the writer, and a busy
 * timeout so a long reader makes writes wait rather than fail.
 */
import Database from 'better-sqlite3';
import { AuditError } from '../../errors.js';
import { prepareDatabaseFiles } from './database-files.js';
import { migrate } from './migrate.js';
import { storeFailure } from './store-error.js';

export type SqliteDatabase = Database.Database;

export interface OpenOptions {
  busyTimeoutMs?: number;
  /** Stop after this schema version (tests of migrations); default: the latest. */
  targetVersion?: number;
}

/** Opens (creating if needed) and migrates the database for writing. */
export function openWritable(path: string, options: OpenOptions = {}): SqliteDatabase {
  if (path !== ':memory:') prepareDatabaseFiles(path);
  let db: SqliteDatabase;
  try {
    db = new Database(path);
  } catch (error) {
    throw new AuditError('STORE_FAILED', `cannot open the database ${path}`, { cause: error });
  }
  try {
    // First, so that switching to WAL and migrating wait for another process opening the file too.
    const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    switchToWal(db, busyTimeoutMs);
    // NORMAL in WAL mode survives any process crash; a power cut may drop the last commits, which the
    // next run re-reads because their cursor went with them.
    db.pragma('synchronous = NORMAL');
    // 32 MB per connection: a 1M-event backfill ran as fast as with 64 MB, and the process (two
    // connections: this thread's and the event writer's) stays well under 250 MB.
    db.pragma('cache_size = -32768');
    // Checkpoint every ~40 MB of WAL instead of SQLite's 4 MB: a page that each commit rewrites (the
    // indexes' inner pages, the table's last page) is copied to the database once per checkpoint, so
    // fewer checkpoints mean far less writing (a 200k-event backfill: a third less disk time).
    db.pragma('wal_autocheckpoint = 10000');
    migrate(db, undefined, options.targetVersion);
  } catch (error) {
    db.close();
    throw storeFailure(path, error);
  }
  return db;
}

/**
 * Switches a file to WAL, waiting for another process that opens it at the same moment. SQLite
 * answers this pragma SQLITE_BUSY at once, without calling the busy handler, when waiting could
 * deadlock (two connections of a new file in rollback mode both wanting to change it), so the
 * busy timeout alone does not cover it: four workers started together on a new file lost one to it.
 * It is tried again, a few milliseconds apart, until the same timeout.
 */
function switchToWal(db: SqliteDatabase, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, 10 + Math.floor(Math.random() * 20));
    }
  }
}

/** Opens an existing database read-only, for queries: no statement through it can change the file. */
export function openReadOnly(path: string, busyTimeoutMs = 10_000): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new AuditError('STORE_FAILED', `cannot open the database ${path} (${(error as Error).message}); run a sync first`, { cause: error });
  }
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.pragma('query_only = ON');
  return db;
}
