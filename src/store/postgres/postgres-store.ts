/**
 * The AuditStore on PostgreSQL, for deployments past one machine: any number of workers on any
 * number of hosts write through their own pools, with the SQLite store's guarantees (see
 * page-writer.ts for how they hold across hosts). Opening is synchronous, like the SQLite store's;
 * the pool connects and the schema is migrated on first use, and a failed start is tried again by
 * the next call (a database that comes up after the worker is found then).
 */
import type pg from 'pg';
import type { PostgresConfig } from '../../config.js';
import type { AuditStore, ChainCut, CheckpointState, CursorReset, CursorResetResult, InventoryKind, InventorySnapshot, PageBatch, PageWrite, PrunePlan, PruneStep, ReconcileDrift, ReconcileRecord, RunStart, RunSummary, StatusOptions, StoreStatus, WriteResult } from '../audit-store.js';
import { readCheckpointState } from './checkpoint-state.js';
import { resetCursor } from './cursor-reset.js';
import { describeTarget, poolSettings, postgresTarget } from './connection-settings.js';
import { createPool } from './create-pool.js';
import { advanceForward, readForward, recordForwardError } from './forward-positions.js';
import { writeInventorySnapshot } from './inventory-writer.js';
import { lockKeys } from './locks.js';
import { migrate } from './migrate.js';
import { OrderedWrites } from './ordered-writes.js';
import { PostgresPageBatch } from './page-batch.js';
import { writePagesInTransaction } from './page-writer.js';
import { planPrune, pruneStep } from './prune-writer.js';
import { pruneLagRows } from './lag-prune.js';
import { recordReconcile } from './reconcile-runs.js';
import { finishRun, startRun } from './run-log.js';
import { listCursors, readCursor, readStatus, readVisibilityLag } from './status-reader.js';
import type { StorablePage } from './storable-page.js';
import { storableText } from './storable-text.js';
import { storeFailure } from './store-error.js';
import { inTransaction } from './transaction.js';

export interface PostgresStoreOptions {
  /** The libpq variables (PGHOST, …) to resolve the target with; default: the process's environment. */
  env?: Record<string, string | undefined>;
}

export class PostgresStore implements AuditStore {
  /** The target as messages name it: never the password. */
  readonly target: string;
  private readonly schema: string;
  private readonly writes = new OrderedWrites();
  private starting: Promise<void> | undefined;
  private closed = false;
  /** Set once the writes under way at close() have finished: every later call fails. */
  private ended = false;

  /** A store on the database `settings` name; nothing is connected until the first call. */
  static open(settings: PostgresConfig, options: PostgresStoreOptions = {}): PostgresStore {
    const target = postgresTarget(settings, options.env);
    return new PostgresStore(createPool(poolSettings(settings, options.env)), settings.schema, describeTarget(target));
  }

  private constructor(
    /** The pool: for tests and the read side; its connections' search_path is the store's schema. */
    readonly pool: pg.Pool,
    schema: string,
    target: string,
  ) {
    this.schema = schema;
    this.target = target;
  }

  /** Connects and migrates (once; again after a failure). */
  ready(): Promise<void> {
    this.starting ??= migrate(this.pool, this.schema).then(
      () => undefined,
      (error: unknown) => {
        this.starting = undefined;
        throw this.failure(error);
      },
    );
    return this.starting;
  }

  async readCursor(environmentId: string) {
    return this.guard(() => readCursor(this.pool, storableText(environmentId)));
  }

  async listCursors() {
    return this.guard(() => listCursors(this.pool));
  }

  /** A batch prepares each page as it is added (page-batch.ts); commit writes them as writePages does, in commit order per environment (ordered-writes.ts). */
  openBatch(): PageBatch {
    return new PostgresPageBatch((pages) => this.writeStorable(pages));
  }

  writePages(pages: readonly PageWrite[]): Promise<WriteResult> {
    const batch = this.openBatch();
    for (const page of pages) batch.add(page);
    return batch.commit();
  }

  private writeStorable(pages: readonly StorablePage[]): Promise<WriteResult> {
    return this.writes.run(
      pages.map((p) => p.environmentId),
      () => this.guard(() => writePagesInTransaction(this.pool, this.schema, pages, new Date().toISOString())),
    );
  }

  async writeInventory<K extends InventoryKind>(snapshot: InventorySnapshot<K>): Promise<void> {
    await this.guard(() => inTransaction(this.pool, (client) => writeInventorySnapshot(client, this.schema, snapshot)));
  }

  async chainHead(environmentId: string): Promise<{ seq: number; hash: string } | null> {
    return this.guard(async () => {
      const { rows } = await this.pool.query<{ last_seq: number; last_hash: Buffer }>('SELECT last_seq, last_hash FROM event_chains WHERE environment_id = $1', [storableText(environmentId)]);
      return rows[0] ? { seq: rows[0].last_seq, hash: rows[0].last_hash.toString('hex') } : null;
    });
  }

  async checkpoint<T>(record: (state: CheckpointState) => T): Promise<T> {
    return this.guard(() =>
      inTransaction(this.pool, async (client) => {
        // Exclusive: every write of what the state covers holds this lock shared, so none lands
        // between the state read and `record`, on this host or another. Read committed, so each
        // statement after the wait sees every write committed before it.
        await client.query('SELECT pg_advisory_xact_lock($1, $2)', lockKeys(this.schema, 'store'));
        return record(await readCheckpointState(client, this.schema));
      }),
    );
  }

  async checkWritable(): Promise<void> {
    // Locks the tables a sync writes as a write would, then gives them back: fails in a read-only
    // transaction (a standby, default_transaction_read_only), without the privileges, or with the server gone.
    await this.guard(() =>
      inTransaction(this.pool, async (client) => {
        await client.query('LOCK TABLE events, event_chains, sync_cursors, sync_runs IN ROW EXCLUSIVE MODE');
      }),
    );
  }

  async recordEnvironmentError(environmentId: string, message: string, at: string): Promise<void> {
    await this.guard(() =>
      this.pool.query(
        `INSERT INTO sync_cursors (environment_id, last_error, last_error_at, updated_at) VALUES ($1, $2, $3, $3)
         ON CONFLICT (environment_id) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at, updated_at = excluded.updated_at`,
        [storableText(environmentId), storableText(message), at],
      ),
    );
  }

  async startRun(run: RunStart): Promise<number> {
    return this.guard(() => inTransaction(this.pool, (client) => startRun(client, run)));
  }

  async finishRun(runId: number, summary: RunSummary): Promise<void> {
    await this.guard(() => finishRun(this.pool, runId, summary));
  }

  async resetCursor(reset: CursorReset): Promise<CursorResetResult> {
    return this.guard(() => inTransaction(this.pool, (client) => resetCursor(client, reset)));
  }

  async status(options: StatusOptions): Promise<StoreStatus> {
    return this.guard(() => inTransaction(this.pool, (client) => readStatus(client, options), 'REPEATABLE READ'));
  }

  async visibilityLag(since: string) {
    return this.guard(() => readVisibilityLag(this.pool, since));
  }

  async readForward(destination: string) {
    return this.guard(() => readForward(this.pool, storableText(destination), new Date().toISOString()));
  }

  async advanceForward(destination: string, from: string, to: string, count: number, at: string): Promise<boolean> {
    return this.guard(() => advanceForward(this.pool, storableText(destination), from, to, count, at));
  }

  async recordForwardError(destination: string, message: string, at: string): Promise<void> {
    await this.guard(() => recordForwardError(this.pool, storableText(destination), storableText(message), at));
  }

  async planPrune(before: Readonly<Record<string, string>>): Promise<PrunePlan[]> {
    return this.guard(() => inTransaction(this.pool, (client) => planPrune(client, before), 'REPEATABLE READ'));
  }

  async pruneStep(step: PruneStep): Promise<ChainCut | null> {
    return this.guard(() => inTransaction(this.pool, (client) => pruneStep(client, this.schema, step)));
  }

  async pruneVisibilityLag(beforeHour: string, limit: number): Promise<number> {
    return this.guard(() => inTransaction(this.pool, (client) => pruneLagRows(client, beforeHour, limit)));
  }

  async recordReconcile(record: ReconcileRecord): Promise<ReconcileDrift> {
    return this.guard(() => inTransaction(this.pool, (client) => recordReconcile(client, record)));
  }

  /** Lets the writes under way finish, then closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.writes.close();
    } finally {
      this.ended = true;
      await this.pool.end();
    }
  }

  /** Runs an operation once the store is ready, turning a failure into one line naming the target (never the password). */
  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    // Not `closed`: writes queued before close() still run.
    if (this.ended) throw storeFailure(this.target, new Error('the audit store is closed'));
    await this.ready();
    try {
      return await operation();
    } catch (error) {
      throw this.failure(error);
    }
  }

  private failure(error: unknown) {
    return storeFailure(this.target, error);
  }
}
