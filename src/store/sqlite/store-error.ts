import { AuditError } from '../../errors.js';

/** SQLite result codes (prefixes) and what an operator should check. */
const HINTS: Array<[prefix: string, hint: string]> = [
  ['SQLITE_FULL', 'the disk is full: free some space'],
  ['SQLITE_IOERR', 'the disk is full or failing: check free space and the file system'],
  ['SQLITE_BUSY', 'another process held the write lock longer than the busy timeout'],
  ['SQLITE_READONLY', 'the file or its directory is read-only'],
  ['SQLITE_CORRUPT', 'the file is damaged: restore it from a backup'],
  ['SQLITE_CANTOPEN', 'the file or its directory cannot be opened: check the path and permissions'],
];

/** A failed database operation as one line naming the file, SQLite's code and what to check. */
export function storeFailure(path: string, error: unknown): AuditError {
  if (error instanceof AuditError) return error;
  const code = String((error as { code?: unknown }).code ?? '');
  const hint = HINTS.find(([prefix]) => code.startsWith(prefix))?.[1];
  const message = error instanceof Error ? error.message : String(error);
  return new AuditError('STORE_FAILED', `cannot write the audit database ${path}: ${message}${code ? ` (${code})` : ''}${hint ? `; ${hint}` : ''}`, { cause: error });
}
