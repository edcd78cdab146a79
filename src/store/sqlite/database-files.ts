/**
 * The database's files before SQLite opens them: a private directory (0700) and a private file
 * (0600), created if missing, tightened if an operator loosened them, refused if another user owns
 * them or the path is a symbolic link (which could point the audit trail anywhere).
 *
 * The one rule here: never open a descriptor on an existing database file outside SQLite. POSIX
 * advisory locks belong to the process and the file, and closing ANY descriptor of the file drops
 * every lock the process holds on it, those of SQLite's connections included (SQLite's "How To
 * Corrupt An SQLite Database File", 2.2). A process that did so while a connection was open lost the
 * shared lock WAL mode relies on; the next reader to close in another process then believed it was
 * the last connection, checkpointed and deleted the -wal and -shm, and every later commit went to a
 * WAL that no other process could see (issue 10). So: stat, chmod and create-if-absent (O_EXCL, on a
 * file no connection can hold yet) only.
 */
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { AuditError } from '../../errors.js';

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/** Makes `path`'s directory and file private, creating them if needed; throws a one-line AuditError when it cannot. */
export function prepareDatabaseFiles(path: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  tighten(dir, 'directory', PRIVATE_DIR);
  createIfMissing(path);
  tighten(path, 'file', PRIVATE_FILE);
  for (const suffix of ['-wal', '-shm']) tighten(`${path}${suffix}`, 'file', PRIVATE_FILE, true);
}

function createIfMissing(path: string): void {
  let fd: number;
  try {
    // O_EXCL: when the file exists this opens nothing, so no lock of this process can be dropped.
    fd = openSync(path, 'wx', PRIVATE_FILE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw new AuditError('STORE_FAILED', `cannot create the database ${path}: ${(error as Error).message}`, { cause: error });
  }
  closeSync(fd);
}

function tighten(path: string, kind: 'directory' | 'file', mode: number, optional = false): void {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new AuditError('STORE_FAILED', `cannot inspect ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (stats.isSymbolicLink()) {
    throw new AuditError('STORE_FAILED', `refusing the database ${kind} ${path}: it is a symbolic link; point AUDIT_DB at the real path`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    throw new AuditError('STORE_FAILED', `refusing the database ${kind} ${path}: it belongs to uid ${stats.uid}, not to this user (uid ${uid}); run as its owner or chown it`);
  }
  if (kind === 'directory' && (stats.mode & 0o1000) !== 0) {
    // A shared directory such as /tmp: others may plant files beside the database, and making it private would break it for them.
    throw new AuditError('STORE_FAILED', `refusing the database directory ${path}: it is shared with other users (sticky bit); give the database a directory of its own`);
  }
  if ((stats.mode & 0o077) !== 0) chmodSync(path, stats.mode & mode & 0o777);
}
