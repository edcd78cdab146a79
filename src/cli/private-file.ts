/**
 * A new file only its owner can read, for what the CLI writes out of the audit trail (an export, a
 * backup): its directory created private (0700) when missing, the file created 0600 with O_EXCL, so
 * it never lands on, or follows a symbolic link to, a file that was already there. A directory that
 * is shared with other users (sticky bit, like /tmp) is refused, as the store's own files refuse it
 * (src/store/sqlite/database-files.ts): another user could plant or watch names there.
 */
import { closeSync, lstatSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { AuditError, ConfigError } from '../errors.js';

export const PRIVATE_FILE = 0o600;

/** Makes `path`'s directory private if it is new, and refuses it when it is shared. */
export function preparePrivateDir(path: string): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new AuditError('STORE_FAILED', `cannot create the directory ${dir}: ${(error as Error).message}`, { cause: error });
  }
  if ((lstatSync(dir).mode & 0o1000) !== 0) {
    throw new AuditError('STORE_FAILED', `refusing ${path}: its directory ${dir} is shared with other users (sticky bit); give it a directory of its own`);
  }
}

/** Creates `path` empty and 0600; refuses when something already has that name. */
export function createPrivateFile(path: string, what: string): void {
  preparePrivateDir(path);
  let fd: number;
  try {
    fd = openSync(path, 'wx', PRIVATE_FILE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new ConfigError(`refusing to overwrite ${path}: it exists; give ${what} a new name`);
    throw new AuditError('STORE_FAILED', `cannot create ${path}: ${(error as Error).message}`, { cause: error });
  }
  closeSync(fd);
}
