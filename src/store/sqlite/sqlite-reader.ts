/**
 * The AuditReader on a SQLite file: one read-only connection (query_only on) of its own. In WAL
 * mode it never waits for a writer nor holds one up; a snapshot is one read transaction, so what
 * verify reads in it is the file as of one commit.
 */
import type { AuditReader, QueryCursor, TrailBacklog, TrailFilter } from '../audit-reader.js';
import type { AuditSnapshot } from '../audit-snapshot.js';
import type { ForwardState, StatusOptions, StoreStatus } from '../audit-store.js';
import { SELECT_FORWARD_STATES, toForwardState } from './forward-positions.js';
import { openReadOnly, type SqliteDatabase } from './open.js';
import { openSqliteQuery } from './query-cursor.js';
import { createSnapshotView } from './snapshot-view.js';
import { createStatusReader } from './status-reader.js';
import { SQLITE_BACKLOG, sqlitePosition, sqliteTrail } from './trail-query.js';

export class SqliteReader implements AuditReader {
  readonly dialect = 'sqlite';
  private readStatus: ((options: StatusOptions) => StoreStatus) | undefined;
  /** Settles when the snapshot under way has ended: one read transaction at a time. */
  private tail: Promise<unknown> = Promise.resolve();

  /** Opens the existing database at `path` read-only; throws a one-line AuditError (STORE_FAILED) when it cannot. */
  static open(path: string): SqliteReader {
    return new SqliteReader(openReadOnly(path));
  }

  private constructor(readonly db: SqliteDatabase) {}

  async status(options: StatusOptions): Promise<StoreStatus> {
    // Prepared on first use: a reader opened on a file that is not (yet) an audit database can still run queries.
    this.readStatus ??= createStatusReader(this.db);
    return this.readStatus(options);
  }

  async openQuery(sql: string, params: Readonly<Record<string, string>> = {}): Promise<QueryCursor> {
    return openSqliteQuery(this.db, sql, params);
  }

  async openTrail(after: string, filter: TrailFilter = {}): Promise<QueryCursor> {
    const { sql, params } = sqliteTrail(after, filter);
    return this.openQuery(sql, params);
  }

  async trailBacklog(after: string): Promise<TrailBacklog> {
    const row = this.db.prepare(SQLITE_BACKLOG).get(sqlitePosition(after)) as { events: number; oldest: string | null };
    return { events: row.events, oldestIngestedAt: row.oldest };
  }

  async forwardStates(): Promise<ForwardState[]> {
    return (this.db.prepare(SELECT_FORWARD_STATES).all() as Parameters<typeof toForwardState>[0][]).map(toForwardState);
  }

  snapshot<T>(read: (view: AuditSnapshot) => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      // Deferred: the snapshot is taken at the first read, and every later read in the transaction sees the same commit.
      this.db.exec('BEGIN');
      try {
        return await read(createSnapshotView(this.db));
      } finally {
        if (this.db.inTransaction) this.db.exec('COMMIT');
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.tail;
    if (this.db.open) this.db.close();
  }
}
