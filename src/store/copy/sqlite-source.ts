/**
 * The SQLite store being copied, read through one read-only connection inside ONE read
 * transaction: every page of every table is read as of the same moment, whatever the workers
 * still syncing into the file commit meanwhile (in WAL mode the read never blocks them). So the
 * events agree with their chain heads and the inventories with their change log, as they did at
 * that moment; what comes later is the next pass's tail.
 */
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { ConfigError } from '../../errors.js';
import { LATEST_VERSION } from '../sqlite/migrations/index.js';
import { openReadOnly, type SqliteDatabase } from '../sqlite/open.js';
import type { CopiedTable } from './copied-tables.js';
import type { SourceRow } from './copy-statements.js';

export interface SqliteSource {
  readonly path: string;
  /** Up to `limit` rows of `spec`'s table in key order, after `after` (the last key read; undefined: from the start), optionally where `filter` holds. */
  page(spec: CopiedTable, after: readonly unknown[] | undefined, limit: number, filter?: { sql: string; params: unknown[] }): SourceRow[];
  /** One row, or undefined. */
  get<T>(sql: string, ...params: unknown[]): T | undefined;
  all<T>(sql: string, ...params: unknown[]): T[];
  close(): void;
}

/** Opens the SQLite store at `path` and starts the read transaction every later read is part of. */
export function openSqliteSource(path: string): SqliteSource {
  if (!existsSync(path)) throw new ConfigError(`AUDIT_DB ${path} does not exist: copy-store copies an existing SQLite store (set AUDIT_DB to its path)`);
  const db = openReadOnly(path);
  try {
    db.exec('BEGIN');
    // The snapshot starts with the transaction's first read: this one.
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== LATEST_VERSION) {
      throw new ConfigError(
        version < LATEST_VERSION
          ? `${path} is at schema version ${version}, this flatfile-audit's is ${LATEST_VERSION}: run this version's worker (or sync --once) on it first, which upgrades it, then copy`
          : `${path} is at schema version ${version}, newer than this flatfile-audit knows (${LATEST_VERSION}): copy it with the flatfile-audit that wrote it`,
      );
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return source(db, path);
}

function source(db: SqliteDatabase, path: string): SqliteSource {
  const statements = new Map<string, Database.Statement<unknown[]>>();
  const prepared = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare<unknown[]>(sql)));
    return statement;
  };
  return {
    path,
    page(spec, after, limit, filter) {
      const key = spec.key.join(', ');
      const where = [after ? `(${key}) > (${spec.key.map(() => '?').join(', ')})` : null, filter?.sql ?? null].filter(Boolean);
      const sql = `SELECT ${Object.keys(spec.columns).join(', ')} FROM ${spec.table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${key} LIMIT ?`;
      return prepared(sql).all(...(after ?? []), ...(filter?.params ?? []), limit) as SourceRow[];
    },
    get: <T>(sql: string, ...params: unknown[]) => prepared(sql).get(...params) as T | undefined,
    all: <T>(sql: string, ...params: unknown[]) => prepared(sql).all(...params) as T[],
    close() {
      if (!db.open) return;
      if (db.inTransaction) db.exec('COMMIT');
      db.close();
    },
  };
}
