/**
 * The demo starts from a fresh database at --db, so it deletes what is there; it must never delete
 * a real audit trail (or any other file) that someone pointed it at by mistake: only a database the
 * demo made (marked so, see src/store/demo-database.ts) is deleted.
 */
import { existsSync, rmSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { isDemoDatabase } from '../store/demo-database.js';

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
