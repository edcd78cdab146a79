/**
 * The AuditReader on PostgreSQL: a small pool of its own, every read in a READ ONLY transaction
 * (the server refuses any write in it). It migrates nothing: the store must exist already.
 */
import type pg from 'pg';
import type { PostgresConfig } from '../../config.js';
import { AuditError } from '../../errors.js';
import type { AuditReader, QueryCursor, QueryOptions, TrailBacklog, TrailFilter } from '../audit-reader.js';
import type { AuditSnapshot } from '../audit-snapshot.js';
import type { ForwardState, StatusOptions, StoreStatus } from '../audit-store.js';
import { SELECT_FORWARD_STATES, toForwardState } from './forward-positions.js';
import { describeTarget, poolSettings, postgresTarget } from './connection-settings.js';
import { createPool } from './create-pool.js';
import { openPostgresQuery } from './query-cursor.js';
import { readOnlyTransaction } from './read-only.js';
import { createSnapshotView } from './snapshot-view.js';
import { readStatus } from './status-reader.js';
import { storeFailure } from './store-error.js';
import { POSTGRES_BACKLOG, RESTORED_ELSEWHERE, RESTORED_MESSAGE, postgresPosition, postgresTrail } from './trail-query.js';

/** A snapshot's connection, plus one for the expected schema while it is open (schema-check.ts). */
const READER_CONNECTIONS = 2;

export interface PostgresReaderOptions {
  /** The libpq variables (PGHOST, …); default: the process's environment. */
  env?: Record<string, string | undefined>;
}

/**
 * A reader's session settings. No JIT compilation: its statements are a person's reads (explorer
 * pages, downloads, query), whose cost estimates over the audit_trail view pass jit_above_cost while
 * the rows read are few, so compiling took longer than running (BENCHMARKS.md, 2026-11-30 search).
 */
export const READER_SESSION: Readonly<Record<string, string>> = { jit: 'off' };

export class PostgresReader implements AuditReader {
  readonly dialect = 'postgres';
  /** Settles when the snapshot or query under way has ended: the reader runs one thing at a time. */
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** The cursor handed out and not yet done: close() ends it. */
  private open: QueryCursor | undefined;

  /** A reader of the store `settings` name; nothing is connected until the first read. */
  static open(settings: PostgresConfig, options: PostgresReaderOptions = {}): PostgresReader {
    const base = poolSettings(settings, options.env);
    const session = Object.entries(READER_SESSION).map(([name, value]) => `-c ${name}=${value}`).join(' ');
    const pool = createPool({ ...base, options: `${base.options ?? ''} ${session}`.trim(), max: READER_CONNECTIONS });
    return new PostgresReader(pool, settings.schema, describeTarget(postgresTarget(settings, options.env)));
  }

  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    /** The target as messages name it: never the password. */
    readonly target: string,
  ) {}

  status(options: StatusOptions): Promise<StoreStatus> {
    return this.turn(() => this.guard(() => readOnlyTransaction(this.pool, (client) => readStatus(client, options))));
  }

  openQuery(sql: string, params: Readonly<Record<string, string>> = {}, options: QueryOptions = {}): Promise<QueryCursor> {
    let ended!: () => void;
    const cursorDone = new Promise<void>((resolve) => (ended = resolve));
    const opening = this.tail.then(async () => {
      this.checkOpen();
      const client = await this.pool.connect().catch((error: unknown) => {
        throw storeFailure(this.target, error);
      });
      let cursor: QueryCursor | undefined;
      cursor = await openPostgresQuery(
        client,
        (broken) => {
          client.release(broken);
          if (cursor !== undefined && this.open === cursor) this.open = undefined;
          ended();
        },
        sql,
        params,
        options,
      );
      this.open = cursor;
      return cursor;
    });
    // The next read waits for this cursor to be done (or never to have opened).
    this.tail = opening.then(() => cursorDone, () => undefined);
    return opening;
  }

  async openTrail(after: string, filter: TrailFilter = {}): Promise<QueryCursor> {
    const { sql, params } = postgresTrail(this.schema, after, filter);
    const restored = await this.turn(() => this.guard(() => readOnlyTransaction(this.pool, (client) => client.query<{ ahead: boolean }>(RESTORED_ELSEWHERE))));
    if (restored.rows[0]?.ahead) throw new AuditError('STORE_FAILED', RESTORED_MESSAGE);
    return this.openQuery(sql, params, { firstRows: true });
  }

  async trailBacklog(after: string): Promise<TrailBacklog> {
    const { xid, seq } = postgresPosition(after);
    return this.turn(() =>
      this.guard(async () => {
        const { rows } = await this.pool.query<{ events: string; oldest: string | null }>(POSTGRES_BACKLOG, [xid, seq]);
        return { events: Number(rows[0]!.events), oldestIngestedAt: rows[0]!.oldest };
      }),
    );
  }

  forwardStates(): Promise<ForwardState[]> {
    return this.turn(() => this.guard(async () => (await this.pool.query(SELECT_FORWARD_STATES)).rows.map(toForwardState)));
  }

  snapshot<T>(read: (view: AuditSnapshot) => Promise<T>): Promise<T> {
    return this.turn(() =>
      readOnlyTransaction(this.pool, (client) => read(createSnapshotView(client, this.pool, this.schema))).catch((error: unknown) => {
        throw storeFailure(this.target, error);
      }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.open?.close();
    await this.tail;
    await this.pool.end();
  }

  private turn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(() => {
      this.checkOpen();
      return work();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private checkOpen(): void {
    if (this.closed) throw new AuditError('STORE_FAILED', `cannot use the audit database ${this.target}: the reader is closed`);
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw storeFailure(this.target, error);
    }
  }
}
