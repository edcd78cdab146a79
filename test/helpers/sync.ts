import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config.js';
import { connectFlatfile } from '../../src/flatfile/connect.js';
import { createLogger } from '../../src/log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { syncAccount, type RunReport } from '../../src/sync/sync-account.js';
import { syncOptionsFrom } from '../../src/sync/sync-options.js';
import { TEST_PAT } from './simulator.js';

/** Collects log lines in memory so tests can read what was logged. */
export class LogSink extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface RunSyncOptions {
  url: string;
  dbPath: string;
  env?: Record<string, string>;
  logs?: LogSink;
  signal?: AbortSignal;
}

/** One in-process sync run, configured through the same environment variables as the CLI. */
export async function runSync(options: RunSyncOptions): Promise<RunReport> {
  const config = loadConfig({
    FLATFILE_API_URL: options.url,
    FLATFILE_TOKEN: TEST_PAT,
    AUDIT_DB: options.dbPath,
    AUDIT_REQUEST_TIMEOUT: '5s',
    LOG_LEVEL: options.logs ? 'trace' : 'silent',
    ...options.env,
  });
  const log = createLogger({ level: config.logLevel, destination: options.logs ?? new LogSink() });
  const store = SqliteStore.open(config.dbPath);
  try {
    const http = await connectFlatfile(config, log);
    return await syncAccount({ http, store, log, ...(options.signal ? { signal: options.signal } : {}) }, syncOptionsFrom(config), 'test');
  } finally {
    await store.close();
  }
}

/** Reads a database with a separate read-only connection, as an analyst would. */
export function readDb<T>(dbPath: string, read: (db: Database.Database) => T): T {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

export function storedEventIds(dbPath: string, environmentId?: string): string[] {
  return readDb(dbPath, (db) =>
    (environmentId
      ? db.prepare('SELECT id FROM events WHERE environment_id = ? ORDER BY id').pluck().all(environmentId)
      : db.prepare('SELECT id FROM events ORDER BY id').pluck().all()) as string[],
  );
}

/** Everything the correctness contract checks after a quiet sync, as one comparable object. */
export function auditInvariants(dbPath: string) {
  return readDb(dbPath, (db) => ({
    events: db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number,
    auditRows: db.prepare('SELECT COUNT(*) FROM audit_trail').pluck().get() as number,
    distinctAuditEvents: db.prepare('SELECT COUNT(DISTINCT event_id) FROM audit_trail').pluck().get() as number,
    cursorsAhead: db
      .prepare(
        `SELECT COUNT(*) FROM sync_cursors c
         WHERE c.high_water IS NOT NULL AND c.high_water > (SELECT MAX(created_at) FROM events e WHERE e.environment_id = c.environment_id)`,
      )
      .pluck()
      .get() as number,
  }));
}
