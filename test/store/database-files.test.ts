/** The database's files are private on every open, not only when created; links and other users' files are refused. */
import { chmodSync, chownSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { prepareDatabaseFiles } from '../../src/store/sqlite/database-files.js';
import { tempDir } from '../helpers/temp.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('database files', () => {
  it('an existing directory, file, WAL and SHM with group or other bits are tightened on open', async () => {
    const dir = join(tempDir(), 'db');
    const path = join(dir, 'audit.db');
    await SqliteStore.open(path).close();
    mkdirSync(dir, { recursive: true });
    for (const suffix of ['-wal', '-shm']) writeFileSync(`${path}${suffix}`, '');
    chmodSync(dir, 0o755);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) chmodSync(file, 0o644);
    prepareDatabaseFiles(path);
    expect([mode(dir), mode(path), mode(`${path}-wal`), mode(`${path}-shm`)]).toEqual([0o700, 0o600, 0o600, 0o600]);
  });

  it('a symbolic link as the database path is refused, and nothing is created behind it', () => {
    const dir = tempDir();
    const target = join(dir, 'elsewhere.db');
    symlinkSync(target, join(dir, 'audit.db'));
    expect(() => prepareDatabaseFiles(join(dir, 'audit.db'))).toThrow(/audit\.db: it is a symbolic link/);
    expect(() => statSync(target)).toThrow(/ENOENT/);
  });

  it("a file that belongs to another user is refused, not taken over", () => {
    const dir = tempDir();
    const path = join(dir, 'audit.db');
    writeFileSync(path, '', { mode: 0o644 });
    chownSync(path, 65534, 65534);
    expect(() => prepareDatabaseFiles(path)).toThrow(/belongs to uid 65534, not to this user/);
    expect(mode(path)).toBe(0o644);
  });

  it('a shared directory (sticky bit, like /tmp) is refused rather than made private', () => {
    const dir = join(tempDir(), 'shared');
    mkdirSync(dir);
    chmodSync(dir, 0o1777);
    expect(() => prepareDatabaseFiles(join(dir, 'audit.db'))).toThrow(/shared with other users \(sticky bit\)/);
    expect(statSync(dir).mode & 0o7777).toBe(0o1777);
  });
});
