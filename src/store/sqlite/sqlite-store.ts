/**
 * The AuditStore on a SQLite file (better-sqlite3). Each write is one short transaction. Event pages,
 * the hot path, are written by a thread of their own on its own connection (page-writer-thread.ts),
 * so the disk works while this thread fetches and parses; everything else runs here.
 */
import { INTERRUPTED_RUN_ERROR, type AuditStore, type ChainCut, type CheckpointState, type CursorReset, type CursorResetResult, type PrunePlan, type PruneStep, type ReconcileDrift, type ReconcileRecord, type StatusOptions, type InventoryKind, type InventorySnapshot, type PageBatch, type PageWrite, type RunStart, type RunSummary, type WriteResult } from '../audit-store.js';
import { createCheckpointStateReader } from './checkpoint-state.js';
import { createForwardPositions } from './forward-positions.js';
import { createCursorReset } from './cursor-reset.js';
import { createInventoryWriter } from './inventory-writer.js';
import { openWritable, type OpenOptions, type SqliteDatabase } from './open.js';
import { SqlitePageBatch } from './page-batch.js';
import { PageWriterThread } from './page-writer-thread.js';
import { createPruneWriter } from './prune-writer.js';
import { createLagPrune } from './lag-prune.js';
import type { PreparedPage } from './prepare-pages.js';
import { createReconcileRuns } from './reconcile-runs.js';
import { createCursorReader, createLagReader, createStatusReader } from './status-reader.js';
import { storeFailure } from './store-error.js';

export class SqliteStore implements AuditStore {
  private readonly writeInventoryTx;
  private readonly cursors;
  private readonly readStatus;
  private readonly readLag;
  private readonly recordError;
  private readonly readChainHead;
  private readonly readCheckpointState;
  private readonly startRunTx;
  private readonly updateRun;
  private readonly forwards;
  private readonly resetCursorTx;
  private readonly prune;
  private readonly pruneLag;
  private readonly reconciles;
  private closed = false;

  /** Opens (creating and migrating if needed) the database at `path`. */
  static open(path: string, options: OpenOptions = {}): SqliteStore {
    const db = openWritable(path, options);
    return new SqliteStore(db, new PageWriterThread({ path, busyTimeoutMs: options.busyTimeoutMs }));
  }

  private constructor(
    readonly db: SqliteDatabase,
    private readonly pageWriter: PageWriterThread,
  ) {
    this.writeInventoryTx = createInventoryWriter(db);
    this.cursors = createCursorReader(db);
    this.resetCursorTx = createCursorReset(db, (environmentId) => this.cursors.one(environmentId));
    this.readStatus = createStatusReader(db);
    this.readLag = createLagReader(db);
    this.recordError = db.prepare(
      `INSERT INTO sync_cursors (environment_id, last_error, last_error_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (environment_id) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at, updated_at = excluded.updated_at`,
    );
    this.readChainHead = db.prepare<[string], { last_seq: number; last_hash: Buffer }>('SELECT last_seq, last_hash FROM event_chains WHERE environment_id = ?');
    this.readCheckpointState = createCheckpointStateReader(db);
    this.forwards = createForwardPositions(db);
    this.prune = createPruneWriter(db);
    this.pruneLag = createLagPrune(db);
    this.reconciles = createReconcileRuns(db);
    const insertRun = db.prepare(`INSERT INTO sync_runs (trigger, started_at, scope, job_id, status) VALUES (?, ?, ?, ?, 'running')`);
    // Only one sync of a scope runs at a time (the CLI, or the worker's deduplicated jobs), so a
    // run of this scope still marked 'running' belongs to a process that died: close it.
    const closeOrphans = db.prepare(`UPDATE sync_runs SET status = 'failed', finished_at = ?, error = ? WHERE scope = ? AND status = 'running'`);
    this.startRunTx = db.transaction((run: RunStart) => {
      closeOrphans.run(run.startedAt, INTERRUPTED_RUN_ERROR, run.scope);
      return Number(insertRun.run(run.trigger, run.startedAt, run.scope, run.jobId ?? null).lastInsertRowid);
    });
    this.updateRun = db.prepare(
      `UPDATE sync_runs SET status = ?, finished_at = ?, new_events = ?, rejected = ?, pages = ?, requests = ?,
         environments_ok = ?, environments_failed = ?, error = ?, details = ? WHERE id = ?`,
    );
  }

  async readCursor(environmentId: string) {
    return this.cursors.one(environmentId);
  }

  async listCursors() {
    return this.cursors.all();
  }

  /** A batch whose pages are encoded and digested as they are added, stamped as ingested then (see PageBatch). */
  openBatch(): PageBatch {
    return new SqlitePageBatch((pages) => this.writePrepared(pages));
  }

  async writePages(pages: readonly PageWrite[]): Promise<WriteResult> {
    const batch = this.openBatch();
    for (const page of pages) batch.add(page);
    return batch.commit();
  }

  private async writePrepared(pages: readonly PreparedPage[]): Promise<WriteResult> {
    try {
      // Posted as a copy: the rows need not stay here while the thread writes them.
      return await this.pageWriter.write(pages, new Date().toISOString());
    } catch (error) {
      throw storeFailure(this.db.name, error);
    }
  }

  async writeInventory<K extends InventoryKind>(snapshot: InventorySnapshot<K>): Promise<void> {
    this.guard(() => this.writeInventoryTx(snapshot));
  }

  async recordEnvironmentError(environmentId: string, message: string, at: string): Promise<void> {
    this.guard(() => this.recordError.run(environmentId, message, at, at));
  }

  async startRun(run: RunStart): Promise<number> {
    return this.guard(() => this.startRunTx(run));
  }

  async chainHead(environmentId: string) {
    const row = this.readChainHead.get(environmentId);
    return row ? { seq: row.last_seq, hash: row.last_hash.toString('hex') } : null;
  }

  async checkpoint<T>(record: (state: CheckpointState) => T): Promise<T> {
    // IMMEDIATE: the write lock is held from the state read until `record` returns (see AuditStore.checkpoint).
    return this.guard(() => this.db.transaction(() => record(this.readCheckpointState())).immediate());
  }

  async checkWritable(): Promise<void> {
    // Takes the write lock and gives it back: fails if the file is read-only, locked past the busy timeout, or gone.
    this.guard(() => this.db.exec('BEGIN IMMEDIATE; ROLLBACK;'));
  }

  async finishRun(runId: number, s: RunSummary): Promise<void> {
    this.guard(() => this.updateRun.run(s.status, s.finishedAt, s.newEvents, s.rejected, s.pages, s.requests, s.environmentsOk, s.environmentsFailed, s.error, JSON.stringify(s.details), runId));
  }

  async resetCursor(reset: CursorReset): Promise<CursorResetResult> {
    return this.guard(() => this.resetCursorTx(reset));
  }

  async status(options: StatusOptions) {
    return this.readStatus(options);
  }

  async visibilityLag(since: string) {
    return this.guard(() => this.readLag(since));
  }

  async readForward(destination: string) {
    return this.guard(() => this.forwards.read(destination, new Date().toISOString()));
  }

  async advanceForward(destination: string, from: string, to: string, count: number, at: string): Promise<boolean> {
    return this.guard(() => this.forwards.advance(destination, from, to, count, at));
  }

  async recordForwardError(destination: string, message: string, at: string): Promise<void> {
    this.guard(() => this.forwards.recordError(destination, message, at));
  }

  async planPrune(before: Readonly<Record<string, string>>): Promise<PrunePlan[]> {
    return this.guard(() => this.prune.plan(before));
  }

  async pruneStep(step: PruneStep): Promise<ChainCut | null> {
    return this.guard(() => this.prune.step(step));
  }

  async pruneVisibilityLag(beforeHour: string, limit: number): Promise<number> {
    return this.guard(() => this.pruneLag(beforeHour, limit));
  }

  async recordReconcile(record: ReconcileRecord): Promise<ReconcileDrift> {
    return this.guard(() => this.reconciles.record(record));
  }

  /** Runs a database operation, turning a failure into one line naming the file and what to check. */
  private guard<T>(operation: () => T): T {
    try {
      return operation();
    } catch (error) {
      throw storeFailure(this.db.name, error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.pageWriter.close();
    } finally {
      this.db.close();
    }
  }
}
